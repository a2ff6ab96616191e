using MLNetQuickStart;

namespace Microsoft.ML.Compat.Tests.Samples;

public class QuickStartSampleTests
{
    [Fact]
    public void EndToEnd_GivesIdenticalResultsBeforeAndAfterSaveLoad()
    {
        string path = TestData.TempPath("quickstart.zip");
        var log = new StringWriter();
        try
        {
            var result = QuickStart.Run(path, log);
            Assert.Equal(result.PredictionsBefore, result.PredictionsAfter);
            Assert.Equal(result.MetricsBefore.RootMeanSquaredError, result.MetricsAfter.RootMeanSquaredError);
            Assert.Equal(result.MetricsBefore.RSquared, result.MetricsAfter.RSquared);
            Assert.Equal(5, result.PredictionsBefore.Length);
            Assert.Contains("Features:Vector<Single, 3>", result.OutputSchema);
            Assert.Contains("Score:Single", result.OutputSchema);
            Assert.Contains("After load", log.ToString());

            // Check one prediction by hand: min-max normalized features (fixZero) then the fixed linear score.
            var data = QuickStart.CreateData(200, 7);
            float maxSize = data.Max(d => Math.Abs(d.Size)), maxRooms = data.Max(d => Math.Abs(d.Rooms)), maxAge = data.Max(d => Math.Abs(d.Age));
            var first = data[0];
            float expected = 1f + (2f * (first.Size * (1 / maxSize))) + (0.5f * (first.Rooms * (1 / maxRooms))) - (first.Age * (1 / maxAge));
            Assert.Equal(expected, result.PredictionsBefore[0], 4);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
