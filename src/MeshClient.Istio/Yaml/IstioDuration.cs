using System.Globalization;

namespace MeshClient.Istio.Yaml;

/// <summary>
/// Istio's duration strings as Kubernetes accepts them in its CRDs (Go's <c>time.ParseDuration</c>):
/// one or more decimal numbers, each with a unit <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>, <c>us</c>/<c>µs</c>
/// or <c>ns</c> — <c>30s</c>, <c>1.5s</c>, <c>1m30s</c>, <c>500ms</c>.
/// </summary>
internal static class IstioDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var span = text.AsSpan().Trim();
        var negative = span.StartsWith("-");
        if (negative || span.StartsWith("+"))
        {
            span = span[1..];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        decimal ticks = 0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !decimal.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            var unit = 0;
            while (unit < span.Length && !char.IsAsciiDigit(span[unit]) && span[unit] != '.')
            {
                unit++;
            }

            decimal? ticksPerUnit = span[..unit] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ns" => 0.01m,
                _ => null,
            };
            if (ticksPerUnit is not { } factor)
            {
                return false;
            }

            ticks += number * factor;
            span = span[unit..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(ticks) * (negative ? -1 : 1));
        return true;
    }
}
