using TimeSeriesSample;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Forecasting;

/// <summary>Runs the README's main job (samples/TimeSeries) with few epochs, so the sample cannot rot.</summary>
public class TimeSeriesSampleTests
{
    [Fact]
    public void Sample_runs_end_to_end_and_writes_its_table_plot_model_and_checkpoint()
    {
        string outputDirectory = Path.Combine(Path.GetTempPath(), $"timeseries-sample-{Guid.NewGuid():N}");
        var console = new StringWriter();
        try
        {
            var result = ForecastingSample.Run(new SampleOptions { Epochs = 2, OutputDirectory = outputDirectory }, console);

            Assert.Equal(["LSTM (ForecastByLstm)", "seasonal naive", "linear AR(12)"], result.OneStep.Select(r => r.Method));
            Assert.All(result.OneStep, r => Assert.Equal(24, r.Points));
            Assert.All(result.AllSteps.Concat(result.OneStep), r =>
            {
                Assert.True(double.IsFinite(r.Mae) && r.Mae > 0 && r.Rmse >= r.Mae && r.Smape > 0, $"{r.Method}: {r}");
                Assert.InRange(r.Coverage, 0, 100);
            });
            Assert.Equal(12, result.Future.Values.Length);
            Assert.True(result.CheckPointContinuesIdentically);
            Assert.True(File.Exists(result.ModelPath));
            Assert.True(File.Exists(result.CheckPointPath));
            string svg = File.ReadAllText(result.PlotPath);
            Assert.StartsWith("<svg", svg);
            Assert.Equal(3, svg.Split("<polyline").Length - 1);
            Assert.Contains("| seasonal naive |", console.ToString());
        }
        finally
        {
            if (Directory.Exists(outputDirectory)) Directory.Delete(outputDirectory, recursive: true);
        }
    }
}
