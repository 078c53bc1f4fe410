using System.Globalization;

namespace MeshClient.Configuration;

/// <summary>Validates a service's <see cref="TrafficPolicyOptions"/> (Istio <c>DestinationRule.trafficPolicy</c>), one method per feature.</summary>
internal static class TrafficPolicyOptionsValidator
{
    /// <param name="policy">The policy.</param>
    /// <param name="path">Its field path.</param>
    /// <param name="findings">Where errors and warnings go.</param>
    /// <param name="staticEndpoints">The endpoint count when resolution is STATIC.</param>
    /// <param name="inherited">For a subset's policy: the service's, whose fields the subset's merge over (Istio).</param>
    public static void Validate(TrafficPolicyOptions? policy, string path, ServiceFindings findings, int? staticEndpoints = null, TrafficPolicyOptions? inherited = null)
    {
        LoadBalancerOptionsValidator.Validate(policy?.LoadBalancer, path + ".loadBalancer", findings);
        LocalityLbSettingValidator.Validate(policy?.LoadBalancer?.LocalityLbSetting, policy?.OutlierDetection ?? inherited?.OutlierDetection, path + ".loadBalancer.localityLbSetting", findings);
        ValidateOutlierDetection(policy?.OutlierDetection, path + ".outlierDetection", findings, staticEndpoints);
        for (var i = 0; policy is not null && i < policy.PortLevelSettings.Count; i++)
        {
            ValidateOutlierDetection(policy.PortLevelSettings[i]?.OutlierDetection, $"{path}.portLevelSettings[{i}].outlierDetection", findings, staticEndpoints);
        }

        ConnectionPoolOptionsValidator.Validate(policy?.ConnectionPool, path + ".connectionPool", findings);
        for (var i = 0; policy is not null && i < policy.PortLevelSettings.Count; i++)
        {
            ConnectionPoolOptionsValidator.Validate(policy.PortLevelSettings[i]?.ConnectionPool, $"{path}.portLevelSettings[{i}].connectionPool", findings);
            LoadBalancerOptionsValidator.Validate(policy.PortLevelSettings[i]?.LoadBalancer, $"{path}.portLevelSettings[{i}].loadBalancer", findings);
            LocalityLbSettingValidator.Validate(policy.PortLevelSettings[i]?.LoadBalancer?.LocalityLbSetting, policy.PortLevelSettings[i]?.OutlierDetection, $"{path}.portLevelSettings[{i}].loadBalancer.localityLbSetting", findings);
        }

        RetryOptionsValidator.ValidateBudget(policy?.RetryBudget, path + ".retryBudget", RetryOptionsValidator.To(findings));
        if (policy?.ProxyProtocol is { } proxyProtocol && !Enum.IsDefined(proxyProtocol.Version))
        {
            findings.Error(path + ".proxyProtocol.version", FormattableString.Invariant($": Unsupported value: {(int)proxyProtocol.Version}: supported values: V1, V2."));
        }
    }

    /// <summary>
    /// Istio's <c>validateOutlierDetection</c> (durations, percents, local-origin failures only in split
    /// mode) plus Envoy's <c>max_ejection_time ≥ base_ejection_time</c>, and warnings for settings that
    /// eject nothing — among them the small-pool trap of <c>maxEjectionPercent</c> (<paramref name="staticEndpoints"/>
    /// is the endpoint count when resolution is STATIC).
    /// </summary>
    private static void ValidateOutlierDetection(OutlierDetectionOptions? outlier, string path, ServiceFindings findings, int? staticEndpoints)
    {
        if (outlier is null)
        {
            return;
        }

        NotNegative(outlier.Consecutive5xxErrors, path + ".consecutive5xxErrors", findings);
        NotNegative(outlier.ConsecutiveGatewayErrors, path + ".consecutiveGatewayErrors", findings);
        if (outlier.ConsecutiveLocalOriginFailures is { } localOrigin)
        {
            NotNegative(localOrigin, path + ".consecutiveLocalOriginFailures", findings);
            if (localOrigin > 0 && !outlier.SplitExternalLocalOriginErrors)
            {
                findings.Error(path + ".consecutiveLocalOriginFailures", " is set, but splitExternalLocalOriginErrors is false: local-origin failures are counted apart only in split mode.");
            }
        }

        Duration(outlier.Interval, path + ".interval", findings);
        var baseValid = Duration(outlier.BaseEjectionTime, path + ".baseEjectionTime", findings);
        if (outlier.MaxEjectionTime is { } max && Duration(max, path + ".maxEjectionTime", findings) && baseValid && max < outlier.BaseEjectionTime)
        {
            findings.Error(path + ".maxEjectionTime", $" must not be less than baseEjectionTime (was '{DurationValidator.Format(max)}' < '{DurationValidator.Format(outlier.BaseEjectionTime)}').");
        }

        var percentValid = Percent(outlier.MaxEjectionPercent, path + ".maxEjectionPercent", findings);
        Percent(outlier.MinHealthPercent, path + ".minHealthPercent", findings);
        for (var i = 0; i < outlier.HttpErrorCodes.Count; i++)
        {
            if (outlier.HttpErrorCodes[i] is < 100 or > 599)
            {
                findings.Error($"{path}.outlierDetectionHttpErrorCodes[{i}]", FormattableString.Invariant($" must be between 100 and 599 (was '{outlier.HttpErrorCodes[i]}')."));
            }
        }

        if (outlier.SuccessRate is { } successRate)
        {
            var at = path + ".successRate";
            NotNegative(successRate.MinimumHosts, at + ".minimumHosts", findings);
            AtLeastOne(successRate.RequestVolume, at + ".requestVolume", findings);
            NotNegative(successRate.StdevFactor, at + ".stdevFactor", findings);
            Percent(successRate.EnforcementPercentage, at + ".enforcementPercentage", findings);
            TooFewHosts(successRate.MinimumHosts, at + ".minimumHosts", staticEndpoints, findings);
        }

        if (outlier.FailurePercentage is { } failurePercentage)
        {
            var at = path + ".failurePercentage";
            Percent(failurePercentage.Threshold, at + ".threshold", findings);
            NotNegative(failurePercentage.MinimumHosts, at + ".minimumHosts", findings);
            AtLeastOne(failurePercentage.RequestVolume, at + ".requestVolume", findings);
            Percent(failurePercentage.EnforcementPercentage, at + ".enforcementPercentage", findings);
            TooFewHosts(failurePercentage.MinimumHosts, at + ".minimumHosts", staticEndpoints, findings);
        }

        var localOriginRule = outlier.SplitExternalLocalOriginErrors && (outlier.ConsecutiveLocalOriginFailures ?? OutlierDetectionDefaults.ConsecutiveLocalOriginFailures) > 0;
        var statisticalRule = outlier.SuccessRate is { EnforcementPercentage: > 0 } || outlier.FailurePercentage is { EnforcementPercentage: > 0 };
        if (outlier.Consecutive5xxErrors == 0 && outlier.ConsecutiveGatewayErrors == 0 && !localOriginRule && !statisticalRule)
        {
            findings.Warning(path, " ejects nothing: consecutive5xxErrors and consecutiveGatewayErrors are 0 (and no local-origin rule is on).");
        }
        else if (percentValid && !outlier.AlwaysEjectOneHost && staticEndpoints is { } count and > 0 && outlier.MaxEjectionPercent * count < 100)
        {
            // Envoy ≥ 1.27 ejects only while 100·(ejected+1)/N ≤ max: the first ejection needs max ≥ 100/N.
            var needed = (100 + count - 1) / count;
            findings.Warning(path + ".maxEjectionPercent", string.Create(
                CultureInfo.InvariantCulture,
                $" {outlier.MaxEjectionPercent} ejects no endpoint of {count}: an endpoint is ejected only while 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent, so it must be at least {needed}; raise it or set AlwaysEjectOneHost."));
        }
    }

    private static void AtLeastOne(int value, string path, ServiceFindings findings)
    {
        if (value < 1)
        {
            findings.Error(path, FormattableString.Invariant($" must be at least 1 (was '{value}')."));
        }
    }

    /// <summary>The statistical rules' trap: fewer STATIC endpoints than the rule needs with volume, so it never runs.</summary>
    private static void TooFewHosts(int minimumHosts, string path, int? staticEndpoints, ServiceFindings findings)
    {
        if (staticEndpoints is { } count and > 0 && count < minimumHosts)
        {
            findings.Warning(path, FormattableString.Invariant($" is {minimumHosts}, but the service has {count} endpoint(s): this rule never ejects anything; lower minimumHosts or rely on the consecutive rules."));
        }
    }

    private static void NotNegative(int value, string path, ServiceFindings findings)
    {
        if (value < 0)
        {
            findings.Error(path, FormattableString.Invariant($" must not be negative (was '{value}')."));
        }
    }

    private static bool Duration(TimeSpan value, string path, ServiceFindings findings)
    {
        if (DurationValidator.Check(value) is { } problem)
        {
            findings.Error(path, " " + problem);
            return false;
        }

        return true;
    }

    // Istio's ValidatePercent wording.
    private static bool Percent(int value, string path, ServiceFindings findings)
    {
        if (value is < 0 or > 100)
        {
            findings.Error(path, FormattableString.Invariant($" percentage {value} is not in range 0..100."));
            return false;
        }

        return true;
    }
}
