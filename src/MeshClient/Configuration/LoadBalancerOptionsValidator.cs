using System.Globalization;

namespace MeshClient.Configuration;

/// <summary>Validates a service's <see cref="LoadBalancerOptions"/> (Istio <c>trafficPolicy.loadBalancer</c>).</summary>
internal static class LoadBalancerOptionsValidator
{
    public static void Validate(LoadBalancerOptions? loadBalancer, string path, ServiceFindings findings)
    {
        var algorithm = loadBalancer?.Simple ?? LoadBalancerAlgorithm.Unspecified;
        if (!Enum.IsDefined(algorithm))
        {
            findings.Error(path + ".simple", $" has an unknown value '{(int)algorithm}'.");
        }
        else if (algorithm == LoadBalancerAlgorithm.Passthrough && findings.Service.Resolution != ServiceResolution.None)
        {
            findings.Error(path + ".simple", $" PASSTHROUGH applies only to resolution NONE (resolution is {IstioNames.Format(findings.Service.Resolution)}); use LEAST_REQUEST, ROUND_ROBIN, RANDOM or consistentHash.");
        }

        if (loadBalancer is null)
        {
            return;
        }

        if (loadBalancer.LeastRequest is { } leastRequest)
        {
            if (leastRequest.ChoiceCount is < 2 or > LoadBalancerDefaults.MaxChoiceCount)
            {
                findings.Error(path + ".leastRequest.choiceCount", $" must be between 2 and {LoadBalancerDefaults.MaxChoiceCount} (was {leastRequest.ChoiceCount}).");
            }

            if (!(leastRequest.ActiveRequestBias is >= 0 and <= LoadBalancerDefaults.MaxActiveRequestBias))
            {
                findings.Error(path + ".leastRequest.activeRequestBias", $" must be between 0 and {LoadBalancerDefaults.MaxActiveRequestBias.ToString(CultureInfo.InvariantCulture)} (was {leastRequest.ActiveRequestBias.ToString(CultureInfo.InvariantCulture)}).");
            }
        }

        if (loadBalancer.Warmup is { } warmup)
        {
            if (warmup.Duration <= TimeSpan.Zero)
            {
                findings.Error(path + ".warmup.duration", $" is required and must be positive (was '{DurationValidator.Format(warmup.Duration)}').");
            }

            if (!(warmup.MinimumPercent is >= 0 and <= 100))
            {
                findings.Error(path + ".warmup.minimumPercent", $" must be between 0 and 100 (was {warmup.MinimumPercent.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (!(warmup.Aggression >= 1) || double.IsInfinity(warmup.Aggression))
            {
                findings.Error(path + ".warmup.aggression", $" must be at least 1 (was {warmup.Aggression.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (loadBalancer.ConsistentHash is not null || algorithm is not (LoadBalancerAlgorithm.RoundRobin or LoadBalancerAlgorithm.LeastRequest or LoadBalancerAlgorithm.Unspecified))
            {
                findings.Warning(path + ".warmup", $" applies to ROUND_ROBIN and LEAST_REQUEST only; it is ignored for {(loadBalancer.ConsistentHash is not null ? "consistentHash" : IstioNames.Format(algorithm))}.");
            }
        }

        if (loadBalancer.PeakEwma is { } ewma)
        {
            Range(ewma.Decay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), path + ".peakEwma.decay", findings);
            Range(ewma.DefaultRtt, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), path + ".peakEwma.defaultRtt", findings);
        }

        if (loadBalancer.ConsistentHash is { } hash)
        {
            if (algorithm != LoadBalancerAlgorithm.Unspecified)
            {
                findings.Error(path + ".simple", $" {IstioNames.Format(algorithm)} cannot be set with consistentHash (Istio's loadBalancer is one or the other).");
            }

            ValidateConsistentHash(hash, path + ".consistentHash", findings);
        }
    }

    private static void ValidateConsistentHash(ConsistentHashOptions hash, string path, ServiceFindings findings)
    {
        var keys = (string.IsNullOrEmpty(hash.HttpHeaderName) ? 0 : 1)
            + (hash.HttpCookie is null ? 0 : 1)
            + (string.IsNullOrEmpty(hash.HttpQueryParameterName) ? 0 : 1)
            + (hash.UseSourceIp ? 1 : 0);
        if (keys != 1)
        {
            findings.Error(path, $" needs exactly one of httpHeaderName, httpCookie, httpQueryParameterName or useSourceIp (has {keys}).");
        }

        if (hash.UseSourceIp)
        {
            findings.Warning(path + ".useSourceIp", " is not applicable in process (every request of the application has the same source); requests are balanced at random.");
        }

        if (hash.HttpCookie is { } cookie)
        {
            if (string.IsNullOrEmpty(cookie.Name))
            {
                findings.Error(path + ".httpCookie.name", " is required.");
            }

            if (cookie.Ttl is { } ttl && ttl < TimeSpan.Zero)
            {
                findings.Error(path + ".httpCookie.ttl", $" must not be negative (was '{ttl}').");
            }

            for (var i = 0; i < cookie.Attributes.Count; i++)
            {
                var attributePath = $"{path}.httpCookie.attributes[{i}]";
                var attribute = cookie.Attributes[i];
                if (attribute is null)
                {
                    findings.Error(attributePath + ".name", " is required.");
                    continue;
                }

                if (string.IsNullOrEmpty(attribute.Name))
                {
                    findings.Error(attributePath + ".name", " is required.");
                }
                else if (!HttpTokens.IsToken(attribute.Name))
                {
                    findings.Error(attributePath + ".name", $" must be a token, without spaces, ';', '=' or control characters (was '{DiagnosticText.Cut(attribute.Name)}').");
                }

                if (attribute.Value is { } value && !IsCookieAttributeValue(value))
                {
                    findings.Error(attributePath + ".value", $" must not contain ';' or control characters (was '{DiagnosticText.Cut(value)}').");
                }
            }
        }

        if (hash.RingHash is not null && hash.Maglev is not null)
        {
            findings.Error(path, " sets both ringHash and maglev; choose one.");
        }

        if (hash.RingHash is { } ring && ring.MinimumRingSize is < 1 or > LoadBalancerDefaults.MaximumRingSize)
        {
            findings.Error(path + ".ringHash.minimumRingSize", $" must be between 1 and {LoadBalancerDefaults.MaximumRingSize} (was {ring.MinimumRingSize}).");
        }

        if (hash.Maglev is { } maglev && (maglev.TableSize is < 2 or >= LoadBalancerDefaults.MaglevTableSizeLimit || !IsPrime(maglev.TableSize)))
        {
            findings.Error(path + ".maglev.tableSize", $" must be a prime number below {LoadBalancerDefaults.MaglevTableSizeLimit} (was {maglev.TableSize}).");
        }
    }

    private static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string path, ServiceFindings findings)
    {
        if (value < min || value > max)
        {
            findings.Error(path, $" must be between {DurationValidator.Format(min)} and {DurationValidator.Format(max)} (was '{DurationValidator.Format(value)}').");
        }
    }

    internal static bool IsPrime(int value)
    {
        if (value < 2)
        {
            return false;
        }

        for (var divisor = 2; (long)divisor * divisor <= value; divisor++)
        {
            if (value % divisor == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An RFC 6265 attribute value (<c>av-octet</c>): visible ASCII or space, without <c>;</c>.</summary>
    private static bool IsCookieAttributeValue(string value)
    {
        foreach (var c in value)
        {
            if (c < ' ' || c >= '\u007f' || c == ';')
            {
                return false;
            }
        }

        return true;
    }
}
