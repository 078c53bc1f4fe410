using MeshClient.Configuration;

namespace MeshClient.Health;

/// <summary>
/// The validated, immutable outlier-detection settings of one cluster (from
/// <see cref="OutlierDetectionOptions"/>), compared by value so that a reload that keeps them keeps
/// the cluster's detector.
/// </summary>
internal sealed class OutlierDetectionSettings : IEquatable<OutlierDetectionSettings>
{
    private OutlierDetectionSettings(OutlierDetectionOptions options)
    {
        Consecutive5xxErrors = options.Consecutive5xxErrors;
        ConsecutiveGatewayErrors = options.ConsecutiveGatewayErrors;
        SplitExternalLocalOriginErrors = options.SplitExternalLocalOriginErrors;
        ConsecutiveLocalOriginFailures = options.SplitExternalLocalOriginErrors
            ? options.ConsecutiveLocalOriginFailures ?? OutlierDetectionDefaults.ConsecutiveLocalOriginFailures
            : 0;
        Interval = options.Interval;
        BaseEjectionTime = options.BaseEjectionTime;
        // Envoy: max_ejection_time defaults to 300 s or base_ejection_time, whichever is larger.
        MaxEjectionTime = options.MaxEjectionTime
            ?? (options.BaseEjectionTime > OutlierDetectionDefaults.MaxEjectionTime ? options.BaseEjectionTime : OutlierDetectionDefaults.MaxEjectionTime);
        MaxEjectionPercent = options.MaxEjectionPercent;
        AlwaysEjectOneHost = options.AlwaysEjectOneHost;
        MinHealthPercent = options.MinHealthPercent;
        if (options.SuccessRate is { } successRate)
        {
            SuccessRate = new(successRate.MinimumHosts, successRate.RequestVolume, successRate.StdevFactor, successRate.EnforcementPercentage);
        }

        if (options.FailurePercentage is { } failurePercentage)
        {
            FailurePercentage = new(failurePercentage.Threshold, failurePercentage.MinimumHosts, failurePercentage.RequestVolume, failurePercentage.EnforcementPercentage);
        }

        if (options.HttpErrorCodes.Count > 0)
        {
            // 100-599 (validated): a bitmap indexed by status code, read without allocation on the request path.
            ErrorCodes = new bool[600];
            foreach (var code in options.HttpErrorCodes)
            {
                ErrorCodes[code] = true;
            }
        }
    }

    /// <summary>0 when off.</summary>
    public int Consecutive5xxErrors { get; }

    /// <summary>0 when off.</summary>
    public int ConsecutiveGatewayErrors { get; }

    public bool SplitExternalLocalOriginErrors { get; }

    /// <summary>The threshold in split mode (0 when off, and always 0 outside split mode).</summary>
    public int ConsecutiveLocalOriginFailures { get; }

    public TimeSpan Interval { get; }

    public TimeSpan BaseEjectionTime { get; }

    public TimeSpan MaxEjectionTime { get; }

    public int MaxEjectionPercent { get; }

    public bool AlwaysEjectOneHost { get; }

    /// <summary>The panic threshold in percent; 0 never panics.</summary>
    public int MinHealthPercent { get; }

    /// <summary>Success-rate ejection, or <see langword="null"/> when off.</summary>
    public SuccessRateSettings? SuccessRate { get; }

    /// <summary>Failure-percentage ejection, or <see langword="null"/> when off.</summary>
    public FailurePercentageSettings? FailurePercentage { get; }

    /// <summary>Whether the endpoints count their requests and successes per interval (for either statistical rule).</summary>
    public bool CountsRequests => SuccessRate is not null || FailurePercentage is not null;

    /// <summary>The status codes that count as errors (indexed by code), or <see langword="null"/> for every 5xx.</summary>
    public bool[]? ErrorCodes { get; }

    /// <summary>The settings for <paramref name="options"/>, or <see langword="null"/> when outlier detection is off.</summary>
    public static OutlierDetectionSettings? From(OutlierDetectionOptions? options) => options is null ? null : new(options);

    /// <summary>Envoy's ejection duration for the <paramref name="backoff"/>-th ejection in a row: <c>min(base × backoff, max)</c>.</summary>
    public TimeSpan EjectionTime(int backoff)
    {
        var ticks = Math.Min(BaseEjectionTime.Ticks * (long)backoff, MaxEjectionTime.Ticks);
        return TimeSpan.FromTicks(ticks);
    }

    public bool Equals(OutlierDetectionSettings? other) =>
        other is not null
        && Consecutive5xxErrors == other.Consecutive5xxErrors
        && ConsecutiveGatewayErrors == other.ConsecutiveGatewayErrors
        && SplitExternalLocalOriginErrors == other.SplitExternalLocalOriginErrors
        && ConsecutiveLocalOriginFailures == other.ConsecutiveLocalOriginFailures
        && Interval == other.Interval
        && BaseEjectionTime == other.BaseEjectionTime
        && MaxEjectionTime == other.MaxEjectionTime
        && MaxEjectionPercent == other.MaxEjectionPercent
        && AlwaysEjectOneHost == other.AlwaysEjectOneHost
        && MinHealthPercent == other.MinHealthPercent
        && SuccessRate == other.SuccessRate
        && FailurePercentage == other.FailurePercentage
        && (ErrorCodes is null ? other.ErrorCodes is null : other.ErrorCodes is not null && ErrorCodes.AsSpan().SequenceEqual(other.ErrorCodes));

    public override bool Equals(object? obj) => Equals(obj as OutlierDetectionSettings);

    public override int GetHashCode() => HashCode.Combine(Consecutive5xxErrors, ConsecutiveGatewayErrors, Interval, BaseEjectionTime, MaxEjectionPercent, MinHealthPercent);
}

/// <summary>Validated <see cref="SuccessRateEjectionOptions"/>.</summary>
internal sealed record SuccessRateSettings(int MinimumHosts, int RequestVolume, int StdevFactor, int EnforcementPercentage);

/// <summary>Validated <see cref="FailurePercentageEjectionOptions"/>.</summary>
internal sealed record FailurePercentageSettings(int Threshold, int MinimumHosts, int RequestVolume, int EnforcementPercentage);
