using Microsoft.ML.Recurrent.Autograd;
using Microsoft.ML.Recurrent.Constraints;
using Microsoft.ML.Recurrent.Regularizers;
using Microsoft.ML.Recurrent.Tensors;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// A weight of a layer (Keras <c>Variable</c>): a named tensor with its regularizer and constraint. Its
/// <see cref="Value"/> keeps its identity across updates (<c>Assign</c> copies into it), so autodiff
/// graphs, optimizers and fused kernels can hold on to it.
/// </summary>
public sealed class Variable
{
    private bool _trainable;

    private readonly Tensor _value;
    private Tensor? _substitute;

    internal Variable(string name, Tensor value, bool trainable, Regularizer? regularizer, Constraint? constraint)
    {
        Name = name;
        _value = value;
        Regularizer = regularizer;
        Constraint = constraint;
        Trainable = trainable;
    }

    /// <summary>The weight's name within its layer (<c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>, ...).</summary>
    public string Name { get; }

    /// <summary>The current value; gradients reach it when <see cref="Trainable"/>.</summary>
    /// <remarks>Inside <see cref="Layer.StatelessCall"/> this is the tensor passed for the weight instead.</remarks>
    public Tensor Value => _substitute ?? _value;

    /// <summary>True while <see cref="Value"/> reads as a substitute (updates still go to the weight's own tensor).</summary>
    internal bool IsSubstituted => _substitute is not null;

    /// <summary>Reads as <paramref name="substitute"/> until disposed (how stateless calls pass explicit weights).</summary>
    internal IDisposable Substitute(Tensor substitute)
    {
        if (substitute.Shape != Shape)
            throw new ArgumentException($"Variable '{Name}': the substitute has shape {substitute.Shape}; expected {Shape}.", nameof(substitute));
        _substitute = substitute;
        return new SubstitutionScope(this);
    }

    private sealed class SubstitutionScope(Variable variable) : IDisposable
    {
        public void Dispose() => variable._substitute = null;
    }

    /// <summary>Shape of the weight.</summary>
    public Shape Shape => _value.Shape;

    /// <summary>Penalty added to the layer's losses while the weight is trainable; null for none.</summary>
    public Regularizer? Regularizer { get; }

    /// <summary>Projection applied after each optimizer update; null for none.</summary>
    public Constraint? Constraint { get; }

    /// <summary>The trainability the weight was created with (a frozen layer restores it when unfrozen).</summary>
    internal bool TrainableAtCreation { get; init; } = true;

    /// <summary>Whether optimizers update this weight (and gradients flow to it).</summary>
    public bool Trainable
    {
        get => _trainable;
        set
        {
            _trainable = value;
            _value.RequiresGrad = value;
        }
    }

    /// <summary>Overwrites the value with <paramref name="value"/> (same shape; converted to this weight's dtype).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Assign(Tensor value)
    {
        if (value.Shape != Shape)
            throw new ArgumentException($"Variable '{Name}': cannot assign a value of shape {value.Shape}; expected {Shape}.", nameof(value));
        using var _ = Autodiff.NoGrad();
        var converted = value.DType == _value.DType ? value : Ops.Cast(value, _value.DType);
        _value.Backend.Copy(TensorView.Of(converted), TensorView.Of(_value), accumulate: false);
        Version++;
    }

    /// <summary>
    /// Counts the changes to the value (<see cref="Assign(Tensor)"/>, in-place optimizer updates through
    /// <see cref="MarkChanged"/>), so caches derived from it (packed kernels) know when to refresh.
    /// </summary>
    internal int Version { get; private set; }

    /// <summary>Records that the value was overwritten in place (by code that writes the storage directly).</summary>
    internal void MarkChanged() => Version++;

    /// <summary>Overwrites the value from host memory (row-major).</summary>
    public void Assign(float[] values) => Assign(Tensor.FromArray(values, Shape, _value.Device));

    /// <inheritdoc/>
    public override string ToString() => $"Variable {Name} {Shape} {Value.DType.KerasName()}";
}
