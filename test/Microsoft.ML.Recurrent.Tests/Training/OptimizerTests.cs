using System.Text.Json.Nodes;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Layers.Core;
using Microsoft.ML.Recurrent.Tensors;
using Microsoft.ML.Recurrent.Training.Optimizers;
using Microsoft.ML.Recurrent.Training.Schedules;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>Single-variable update rules written out by hand (double precision) for the optimizers without PyTorch trajectories, and the shared machinery.</summary>
public class OptimizerTests
{
    /// <summary>A float64 Dense(2) on 1 input whose kernel is the variable under test.</summary>
    private static Variable NewVariable(double[] initial, Constraint? constraint = null)
    {
        var dense = new Dense(initial.Length, useBias: false, kernelConstraint: constraint, dtype: "float64");
        dense.Build(new Shape(1, 1));
        var v = dense.Weights[0];
        v.Assign(Tensor.FromArray(initial, v.Shape));
        return v;
    }

    private static double[] Run(Optimizer optimizer, double[] initial, double[][] gradients, Constraint? constraint = null)
    {
        var v = NewVariable(initial, constraint);
        foreach (var g in gradients) optimizer.Apply([Tensor.FromArray(g, v.Shape)], [v]);
        return v.Value.ToDoubleArray();
    }

    private static readonly double[] s_w0 = [0.5, -1.0];
    private static readonly double[][] s_grads = [[0.1, -0.3], [0.4, 0.2], [-0.2, 0.05]];

    [Fact]
    public void Adagrad_Adadelta_Adamax_Nadam_follow_Keras_rules()
    {
        // Adagrad: a starts at 0.1; w -= lr g / sqrt(a + eps)
        {
            double lr = 0.1, eps = 1e-7;
            var w = (double[])s_w0.Clone();
            var a = new[] { 0.1, 0.1 };
            foreach (var g in s_grads)
                for (int i = 0; i < 2; i++) { a[i] += g[i] * g[i]; w[i] -= lr * g[i] / Math.Sqrt(a[i] + eps); }
            Assert.Equal(w, Run(new Adagrad(lr), s_w0, s_grads), (x, y) => Math.Abs(x - y) < 1e-12);
        }
        // Adadelta
        {
            double lr = 1.0, rho = 0.95, eps = 1e-7;
            var w = (double[])s_w0.Clone();
            var ag = new double[2];
            var ad = new double[2];
            foreach (var g in s_grads)
                for (int i = 0; i < 2; i++)
                {
                    ag[i] = rho * ag[i] + (1 - rho) * g[i] * g[i];
                    double d = -Math.Sqrt(ad[i] + eps) * g[i] / Math.Sqrt(ag[i] + eps);
                    ad[i] = rho * ad[i] + (1 - rho) * d * d;
                    w[i] += lr * d;
                }
            Assert.Equal(w, Run(new Adadelta(lr), s_w0, s_grads), (x, y) => Math.Abs(x - y) < 1e-12);
        }
        // Adamax
        {
            double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
            var w = (double[])s_w0.Clone();
            var m = new double[2];
            var u = new double[2];
            for (int t = 1; t <= s_grads.Length; t++)
                for (int i = 0; i < 2; i++)
                {
                    var g = s_grads[t - 1][i];
                    m[i] += (g - m[i]) * (1 - b1);
                    u[i] = Math.Max(b2 * u[i], Math.Abs(g));
                    w[i] -= lr * m[i] / ((1 - Math.Pow(b1, t)) * (u[i] + eps));
                }
            Assert.Equal(w, Run(new Adamax(lr), s_w0, s_grads), (x, y) => Math.Abs(x - y) < 1e-12);
        }
        // Nadam
        {
            double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, product = 1;
            var w = (double[])s_w0.Clone();
            var m = new double[2];
            var v = new double[2];
            for (int t = 1; t <= s_grads.Length; t++)
            {
                double uT = b1 * (1 - 0.5 * Math.Pow(0.96, t)), uT1 = b1 * (1 - 0.5 * Math.Pow(0.96, t + 1));
                product *= uT;
                for (int i = 0; i < 2; i++)
                {
                    var g = s_grads[t - 1][i];
                    m[i] += (g - m[i]) * (1 - b1);
                    v[i] += (g * g - v[i]) * (1 - b2);
                    double mHat = uT1 * m[i] / (1 - product * uT1) + (1 - uT) * g / (1 - product);
                    double vHat = v[i] / (1 - Math.Pow(b2, t));
                    w[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
                }
            }
            Assert.Equal(w, Run(new Nadam(lr), s_w0, s_grads), (x, y) => Math.Abs(x - y) < 1e-12);
        }
    }

    [Fact]
    public void Clipping_weight_decay_and_constraints()
    {
        // clipnorm 0.5 on gradient (3, 4) (norm 5) → (0.3, 0.4); SGD lr 1.
        Assert.Equal([0.5 - 0.3, -1.0 - 0.4], Run(new Sgd(1.0, clipNorm: 0.5), s_w0, [[3, 4]]), (x, y) => Math.Abs(x - y) < 1e-12);
        // clipvalue 0.2
        Assert.Equal([0.5 - 0.2, -1.0 + 0.1], Run(new Sgd(1.0, clipValue: 0.2), s_w0, [[3, -0.1]]), (x, y) => Math.Abs(x - y) < 1e-12);
        // global_clipnorm over two variables: norms 5 and 0 → scaled by 1/5.
        var a = NewVariable([0, 0]);
        var b = NewVariable([0, 0]);
        new Sgd(1.0, globalClipNorm: 1.0).Apply([Tensor.FromArray(new double[] { 3, 4 }, a.Shape), Tensor.FromArray(new double[] { 0, 0 }, b.Shape)], [a, b]);
        Assert.Equal([-0.6, -0.8], a.Value.ToDoubleArray(), (x, y) => Math.Abs(x - y) < 1e-12);
        // weight decay: w -= w * wd * lr before the update.
        Assert.Equal([0.5 - 0.5 * 0.1 * 0.5, -1.0 + 1.0 * 0.1 * 0.5], Run(new Sgd(0.5, weightDecay: 0.1), s_w0, [[0, 0]]), (x, y) => Math.Abs(x - y) < 1e-12);
        // constraint applied after the update.
        var constrained = Run(new Sgd(1.0), s_w0, [[0.1, 0.1]], new NonNeg());
        Assert.Equal(0.4, constrained[0], 12);
        Assert.Equal(0.0, Math.Abs(constrained[1]));
        Assert.Throws<ArgumentException>(() => new Sgd(clipNorm: 1, clipValue: 1));
    }

    [Fact]
    public void Ema_tracks_and_finalizes_the_average()
    {
        var v = NewVariable([1.0, 1.0]);
        var optimizer = new Sgd(1.0, useEma: true, emaMomentum: 0.5);
        optimizer.Apply([Tensor.FromArray(new double[] { 1, 1 }, v.Shape)], [v]); // w = 0; first step: average = w
        optimizer.Apply([Tensor.FromArray(new double[] { 1, 1 }, v.Shape)], [v]); // w = -1; average = 0.5*0 + 0.5*(-1)
        Assert.Equal(-1.0, v.Value.ToDoubleArray()[0], 12);
        optimizer.FinalizeVariableValues();
        Assert.Equal(-0.5, v.Value.ToDoubleArray()[0], 12);
    }

    [Fact]
    public void Schedules_follow_Keras_formulas()
    {
        Assert.Equal(0.1 * Math.Pow(0.5, 0.25), new ExponentialDecay(0.1, 4, 0.5)[1], 12);
        Assert.Equal(0.1, new ExponentialDecay(0.1, 4, 0.5, staircase: true)[3], 12);
        Assert.Equal(0.1 / (1 + 0.5 * 2.5), new InverseTimeDecay(0.1, 2, 0.5)[5], 12);
        var piecewise = new PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]);
        Assert.Equal([1.0, 1.0, 0.5, 0.5, 0.1], new long[] { 0, 10, 11, 20, 21 }.Select(s => piecewise[s]));
        var cosine = new CosineDecay(1.0, 10, alpha: 0.1);
        Assert.Equal(1.0, cosine[0], 12);
        Assert.Equal(0.1 + 0.9 * 0.5, cosine[5], 12);
        Assert.Equal(0.1, cosine[50], 12);
        var warm = new CosineDecay(0.0, 10, warmupTarget: 1.0, warmupSteps: 4);
        Assert.Equal(0.5, warm[2], 12);
        Assert.Equal(1.0, warm[4], 12);
        Assert.Equal(0.5, warm[9], 12);

        var optimizer = new Sgd(learningRate: new ExponentialDecay(1.0, 1, 0.5));
        var v = NewVariable([0, 0]);
        optimizer.Apply([Tensor.FromArray(new double[] { 1, 1 }, v.Shape)], [v]);
        optimizer.Apply([Tensor.FromArray(new double[] { 1, 1 }, v.Shape)], [v]);
        Assert.Equal(-1.5, v.Value.ToDoubleArray()[0], 12);
        Assert.Equal(0.25, optimizer.LearningRate, 12);
        Assert.Throws<InvalidOperationException>(() => optimizer.LearningRate = 0.1);
    }

    [Fact]
    public void Configs_round_trip_for_every_optimizer()
    {
        Optimizer[] optimizers = [new Sgd(0.1, 0.9, true), new Adam(0.002, amsgrad: true, clipNorm: 1.0), new AdamW(weightDecay: 0.01), new RmsProp(centered: true, momentum: 0.5),
            new Adagrad(), new Adadelta(), new Adamax(), new Nadam(useEma: true), new Adam(new CosineDecay(0.1, 100, warmupTarget: 0.2, warmupSteps: 5))];
        foreach (var optimizer in optimizers)
        {
            var json = optimizer.ToConfig().ToJsonString();
            Assert.Equal(json, Optimizer.FromConfig(JsonNode.Parse(json)!).ToConfig().ToJsonString());
        }
        Assert.IsType<RmsProp>(Optimizer.Get("rmsprop"));
        Assert.Equal("adamw", new AdamW().Name);
    }
}
