// Forecasts the monthly EU electrical-equipment production index with an LSTM through ML.NET
// (mlContext.Forecasting.ForecastByLstm), and compares it with seasonal-naive and AR(12) forecasts on the last two
// years, which the model never sees. Usage: dotnet run --project samples/TimeSeries [--epochs N] [--output DIR]
using System.Globalization;
using TimeSeriesSample;

var options = new SampleOptions();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs" when i + 1 < args.Length:
            options.Epochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--output" when i + 1 < args.Length:
            options.OutputDirectory = Path.GetFullPath(args[++i]);
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: dotnet run --project samples/TimeSeries [--epochs N] [--output DIR]");
            return 2;
    }
}

ForecastingSample.Run(options, Console.Out);
return 0;
