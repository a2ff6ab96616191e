using System.Globalization;
using System.Text;

namespace TimeSeriesSample;

/// <summary>Draws the series, the held-out one-step forecasts and the forecast beyond the data, with their bands, as SVG.</summary>
public static class SvgPlot
{
    private const int Width = 960, Height = 420, Left = 60, Right = 20, Top = 30, Bottom = 40;

    /// <summary>Writes the plot to <paramref name="path"/> (through a temporary file).</summary>
    /// <param name="path">The .svg file.</param>
    /// <param name="dates">The date of every observation (monthly).</param>
    /// <param name="series">The observations.</param>
    /// <param name="firstShown">The first observation drawn.</param>
    /// <param name="holdOutStart">The first held-out observation (marked by a vertical line).</param>
    /// <param name="oneStep">One-step-ahead forecasts over the held-out part.</param>
    /// <param name="future">The forecast after the last observation.</param>
    public static void Write(string path, IReadOnlyList<DateTime> dates, IReadOnlyList<double> series, int firstShown, int holdOutStart,
        IReadOnlyList<Forecast> oneStep, Forecast future)
    {
        int n = series.Count, last = n - 1 + future.Values.Length;
        var shown = series.Skip(firstShown).Concat(oneStep.SelectMany(f => new[] { f.Lower[0], f.Upper[0] })).Concat(future.Lower).Concat(future.Upper).ToList();
        double min = shown.Min(), max = shown.Max(), pad = (max - min) * 0.05;
        min -= pad;
        max += pad;
        double X(double t) => Left + (t - firstShown) / (last - firstShown) * (Width - Left - Right);
        double Y(double v) => Top + (max - v) / (max - min) * (Height - Top - Bottom);
        string P(double t, double v) => string.Create(CultureInfo.InvariantCulture, $"{X(t):F1},{Y(v):F1}");

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\">EU electrical equipment index: history, one-month-ahead LSTM forecasts on the held-out part and the forecast beyond the data (95% bands)</text>");
        for (int t = firstShown; t < n; t++)
        {
            if (dates[t].Month == 1)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{X(t):F1}\" y1=\"{Top}\" x2=\"{X(t):F1}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/><text x=\"{X(t) - 14:F1}\" y=\"{Height - Bottom + 16}\">{dates[t].Year}</text>");
            }
        }

        for (int i = 0; i <= 4; i++)
        {
            double v = min + (max - min) * i / 4;
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"8\" y=\"{Y(v) + 4:F1}\">{v:F0}</text>");
        }

        Band(svg, oneStep.Select(f => (f.Origin + 1.0, f.Lower[0], f.Upper[0])).ToList(), P, "#cfe0f5");
        Band(svg, future.Values.Select((_, k) => (future.Origin + k + 1.0, future.Lower[k], future.Upper[k])).ToList(), P, "#f7d3c8");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{X(holdOutStart - 0.5):F1}\" y1=\"{Top}\" x2=\"{X(holdOutStart - 0.5):F1}\" y2=\"{Height - Bottom}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>");
        Line(svg, Enumerable.Range(firstShown, n - firstShown).Select(t => P(t, series[t])), "black", 1.5);
        Line(svg, oneStep.Select(f => P(f.Origin + 1, f.Values[0])), "#1f5fbf", 1.5);
        Line(svg, future.Values.Select((v, k) => P(future.Origin + k + 1, v)).Prepend(P(n - 1, series[n - 1])), "#c0392b", 2);
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left + 10}\" y=\"{Top + 14}\">black: data · blue: one-month-ahead forecasts (held out) · red: forecast after the last month · dashed: start of hold-out</text>");
        svg.AppendLine("</svg>");

        string temp = path + ".tmp";
        File.WriteAllText(temp, svg.ToString());
        File.Move(temp, path, overwrite: true);
    }

    private static void Line(StringBuilder svg, IEnumerable<string> points, string color, double width) =>
        svg.AppendLine(string.Create(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" points=\"{string.Join(' ', points)}\"/>"));

    private static void Band(StringBuilder svg, List<(double T, double Lower, double Upper)> band, Func<double, double, string> p, string color)
    {
        var points = band.Select(b => p(b.T, b.Upper)).Concat(band.AsEnumerable().Reverse().Select(b => p(b.T, b.Lower)));
        svg.AppendLine($"<polygon fill=\"{color}\" stroke=\"none\" points=\"{string.Join(' ', points)}\"/>");
    }
}
