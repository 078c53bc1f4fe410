using System.Globalization;

namespace MeshClient.Configuration;

/// <summary>Istio's <c>ValidateDuration</c> (durations such as <c>http[].timeout</c>): at least 1 ms, in whole milliseconds.</summary>
internal static class DurationValidator
{
    /// <summary>Istio's two rules, in its order: under 1 ms, then finer than whole milliseconds.</summary>
    public enum Problem
    {
        None,
        TooShort,
        NotWholeMilliseconds,
    }

    /// <summary>Which of Istio's duration rules <paramref name="value"/> breaks, if any (the rule itself, for every wording of it).</summary>
    public static Problem Find(TimeSpan value) =>
        value < TimeSpan.FromMilliseconds(1) ? Problem.TooShort
        : value.Ticks % TimeSpan.TicksPerMillisecond != 0 ? Problem.NotWholeMilliseconds
        : Problem.None;

    /// <summary>What is wrong with <paramref name="value"/>, worded after the field path; <see langword="null"/> when it is valid.</summary>
    public static string? Check(TimeSpan value) => Find(value) switch
    {
        Problem.TooShort => $"duration must be greater than 1ms (was '{Format(value)}').",
        Problem.NotWholeMilliseconds => $"only durations to ms precision are supported (was '{Format(value)}').",
        _ => null,
    };

    /// <summary>A duration as Istio writes it: <c>0s</c>, <c>1.5s</c>, <c>0.0005s</c>, <c>-2s</c>.</summary>
    public static string Format(TimeSpan value) =>
        (value.Ticks / (decimal)TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture) + "s";
}
