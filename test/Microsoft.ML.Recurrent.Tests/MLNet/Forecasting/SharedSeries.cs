using System.Globalization;

namespace Microsoft.ML.Recurrent.Tests.MLNet.Forecasting;

/// <summary>The public-domain series copied from the shared data folder (see Data/), as float arrays in time order.</summary>
internal static class SharedSeries
{
    /// <summary>Monthly Niño 1+2 sea surface temperature, 1950–2010 (732 months; season 12).</summary>
    public static float[] ElNino() => Lines("elnino.csv").SelectMany(f => f.Skip(1)).Select(Parse).ToArray();

    /// <summary>Quarterly US unemployment rate, 1959–2009 (203 quarters), from macrodata.</summary>
    public static float[] Unemployment() => Column("macrodata.csv", 10);

    /// <summary>Quarterly US CPI inflation (macrodata's <c>infl</c>), a covariate for unemployment.</summary>
    public static float[] Inflation() => Column("macrodata.csv", 12);

    private static float[] Column(string file, int index) => Lines(file).Select(f => Parse(f[index])).ToArray();

    private static IEnumerable<string[]> Lines(string file) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "MLNet", "Forecasting", "Data", file)).Skip(1)
            .Where(l => l.Length > 0).Select(l => l.Split(',').Select(s => s.Trim('"')).ToArray());

    private static float Parse(string s) => float.Parse(s, CultureInfo.InvariantCulture);
}
