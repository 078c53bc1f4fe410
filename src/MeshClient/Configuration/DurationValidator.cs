using System.Globalization;

namespace MeshClient.Configuration;

/// <summary>Istio's <c>ValidateDuration</c> (durations such as <c>http[].timeout</c>): at least 1 ms, in whole milliseconds.</summary>
internal static class DurationValidator
{
    /// <summary>What is wrong with <paramref name="value"/>, worded after the field path; <see langword="null"/> when it is valid.</summary>
    public static string? Check(TimeSpan value)
    {
        if (value < TimeSpan.FromMilliseconds(1))
        {
            return $"duration must be greater than 1ms (was '{Format(value)}').";
        }

        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            return $"only durations to ms precision are supported (was '{Format(value)}').";
        }

        return null;
    }

    /// <summary>A duration as Istio writes it: <c>0s</c>, <c>1.5s</c>, <c>0.0005s</c>, <c>-2s</c>.</summary>
    public static string Format(TimeSpan value) =>
        (value.Ticks / (decimal)TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture) + "s";
}
