using System.Globalization;
using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>A valid <c>RetryPolicy</c>: the host it applies to and the MeshClient retry settings it sets (<see langword="null"/>: not set).</summary>
internal sealed record RetryExtensionPolicy(IstioResource Resource, string Host, YamlNode HostNode, ObjectReader Reader) : IExtensionPolicy
{
    public bool? RetryNonIdempotent { get; init; }

    public bool? HonorRetryAfter { get; init; }

    public long? MaxRequestBufferBytes { get; init; }

    public HttpHedgingOptions? Hedging { get; init; }

    public double? TokenRatio { get; init; }

    public int? MinRetriesPerSecond { get; init; }

    public TimeSpan? TokenTtl { get; init; }

    public bool HasTokenBudget => TokenRatio is not null || MinRetriesPerSecond is not null || TokenTtl is not null;
}

/// <summary>
/// MeshClient's extension kind <c>RetryPolicy</c> (<c>apiVersion: meshclient.io/v1alpha1</c>): the retry
/// settings Istio's <c>VirtualService.http[].retries</c> and <c>DestinationRule.trafficPolicy.retryBudget</c>
/// lack, for the ServiceEntries whose hosts include <c>spec.host</c> (matched as a DestinationRule's host).
/// <code>
/// spec:
///   host: api.example.com
///   retryNonIdempotent: true        # HttpRetryOptions.RetryNonIdempotent
///   honorRetryAfter: true           # HttpRetryOptions.HonorRetryAfter
///   maxRequestBufferBytes: 65536    # HttpRetryOptions.MaxRequestBufferBytes
///   hedging: {delay: 50ms, maxAttempts: 3}
///   retryBudget: {tokenRatio: 0.2, minRetriesPerSecond: 10, tokenTtl: 10s}
/// </code>
/// The kind supplements: its fields complete the retries of every route of the service (a VirtualService
/// route's <c>retries</c>, else Istio's default policy, which the route then states explicitly), and the
/// token fields complete the service's retry budget (a DestinationRule <c>retryBudget</c>'s <c>percent</c>
/// and <c>minRetryConcurrency</c> stay). A route whose VirtualService turns retries off (<c>attempts: 0</c>)
/// keeps them off, warned. A policy whose host no ServiceEntry declares is an error. Values are checked by
/// the core validator, each finding at its <c>spec.</c> field.
/// </summary>
internal static class RetryPolicyMapper
{
    public const string Kind = "RetryPolicy";

    private const string RoutePrefix = "route.retries.";

    private const string BudgetPrefix = "trafficPolicy.retryBudget.";

    private static readonly Schema Spec = Schema.Object(
        new Field("host", Schema.Scalar),
        new Field("retryNonIdempotent", Schema.Scalar),
        new Field("honorRetryAfter", Schema.Scalar),
        new Field("maxRequestBufferBytes", Schema.Scalar),
        new Field("hedging", Schema.Object(
            new Field("delay", Schema.Scalar),
            new Field("maxAttempts", Schema.Scalar))),
        new Field("retryBudget", Schema.Object(
            new Field("tokenRatio", Schema.Scalar),
            new Field("minRetriesPerSecond", Schema.Scalar),
            new Field("tokenTtl", Schema.Scalar))));

    /// <summary>Reads one object; <see langword="null"/> when it has an error (it is then rejected and not used).</summary>
    public static RetryExtensionPolicy? Map(ObjectReader reader, YamlMappingNode root, IstioResource resource)
    {
        var errors = reader.ErrorCount;
        if (ExtensionKinds.HostSpec(reader, root, resource, Kind, Spec, out var host) is not { } spec)
        {
            return null;
        }

        var retryNonIdempotent = IstioFields.Bool(reader, spec, "retryNonIdempotent", "spec");
        var honorRetryAfter = IstioFields.Bool(reader, spec, "honorRetryAfter", "spec");
        var maxRequestBufferBytes = reader.Long(spec, "maxRequestBufferBytes", "spec.maxRequestBufferBytes");
        HttpHedgingOptions? hedging = null;
        if (ExtensionKinds.Block(reader, spec, "hedging") is { } hedgingBlock)
        {
            hedging = new HttpHedgingOptions();
            hedging.Delay = IstioFields.Duration(reader, hedgingBlock, "delay", "spec.hedging", allowZero: true) ?? hedging.Delay;
            hedging.MaxAttempts = reader.Int(hedgingBlock, "maxAttempts", "spec.hedging.maxAttempts") ?? hedging.MaxAttempts;
        }

        double? tokenRatio = null;
        int? minRetriesPerSecond = null;
        TimeSpan? tokenTtl = null;
        if (ExtensionKinds.Block(reader, spec, "retryBudget") is { } budget)
        {
            tokenRatio = reader.Double(budget, "tokenRatio", "spec.retryBudget.tokenRatio");
            minRetriesPerSecond = reader.Int(budget, "minRetriesPerSecond", "spec.retryBudget.minRetriesPerSecond");
            tokenTtl = IstioFields.Duration(reader, budget, "tokenTtl", "spec.retryBudget");
        }

        var policy = string.IsNullOrEmpty(host) ? null : new RetryExtensionPolicy(resource, host, YamlNodes.Get(spec, "host")!, reader)
        {
            RetryNonIdempotent = retryNonIdempotent,
            HonorRetryAfter = honorRetryAfter,
            MaxRequestBufferBytes = maxRequestBufferBytes,
            Hedging = hedging,
            TokenRatio = tokenRatio,
            MinRetriesPerSecond = minRetriesPerSecond,
            TokenTtl = tokenTtl,
        };
        if (policy is not null && policy.TokenRatio is null && (policy.MinRetriesPerSecond is not null || policy.TokenTtl is not null))
        {
            reader.Error(YamlNodes.Get(spec, "retryBudget")!, "spec.retryBudget.tokenRatio", "spec.retryBudget.tokenRatio: Required value: minRetriesPerSecond and tokenTtl shape the token budget, which tokenRatio turns on.");
        }

        if (policy is not null && reader.ErrorCount == errors)
        {
            Validate(reader, spec, policy);
        }

        return reader.ErrorCount != errors ? null : policy;
    }

    /// <summary>
    /// Gives each policy to the ServiceEntries with its host; the first policy for an entry wins. A policy
    /// whose host no ServiceEntry declares is an error (the object is rejected): retry settings the user
    /// meant to apply would otherwise silently not.
    /// </summary>
    public static void Apply(List<RetryExtensionPolicy> policies, IList<ExternalServiceOptions> services)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in services)
        {
            hosts.UnionWith(service.Hosts);
        }

        var matched = new List<RetryExtensionPolicy>(policies.Count);
        foreach (var policy in policies)
        {
            if (hosts.Contains(policy.Host))
            {
                matched.Add(policy);
                continue;
            }

            policy.Reader.Error(policy.HostNode, "spec.host", $"spec.host: Invalid value: '{DiagnosticText.Cut(policy.Host)}' matches no ServiceEntry host; a {Kind} applies to the hosts ServiceEntries declare.");
            policy.Resource.Status = IstioResourceStatus.Rejected;
        }

        ExtensionPolicies.Apply(matched, services, $"{Kind} has no effect.", $"retry settings from {Kind}", Assign);
    }

    /// <summary>
    /// Completes the retries of every route of the service, and its retry budget. Routes and retry blocks
    /// can be shared with other services (a VirtualService with several hosts), so each is copied first.
    /// </summary>
    private static void Assign(ExternalServiceOptions service, RetryExtensionPolicy policy)
    {
        if (service.Http.Count == 0)
        {
            service.Route = new RouteOptions { Timeout = service.Route.Timeout, Retries = Completed(service.Route.Retries, policy) };
        }

        for (var i = 0; i < service.Http.Count; i++)
        {
            var route = service.Http[i];
            if (route.Retries is { Attempts: 0 })
            {
                policy.Reader.Warning(policy.HostNode, "spec.host", $"spec.host '{DiagnosticText.Cut(policy.Host)}': route {DiagnosticText.Cut(route.Name ?? (i + 1).ToString(CultureInfo.InvariantCulture))} of ServiceEntry {DiagnosticText.Cut(service.Name)} turns retries off (retries.attempts 0), so the {Kind} does not apply to it.");
                continue;
            }

            service.Http[i] = WithRetries(route, Completed(route.Retries, policy));
        }

        if (policy.HasTokenBudget)
        {
            service.TrafficPolicy.RetryBudget = WithTokens(service.TrafficPolicy.RetryBudget, policy);

            // A subset's own retryBudget replaces the rule's for its cluster (Istio merges per component):
            // the token budget reaches it too, so that every cluster of the host has it.
            foreach (var subset in service.Subsets)
            {
                if (subset.TrafficPolicy is { RetryBudget: { } subsetBudget } subsetPolicy)
                {
                    subsetPolicy.RetryBudget = WithTokens(subsetBudget, policy);
                }
            }
        }
    }

    /// <summary>A copy of <paramref name="own"/> (none: Envoy's percent budget defaults) with the policy's token fields set.</summary>
    private static RetryBudgetOptions WithTokens(RetryBudgetOptions? own, RetryExtensionPolicy policy)
    {
        own ??= new RetryBudgetOptions();
        return new RetryBudgetOptions
        {
            Percent = own.Percent,
            MinRetryConcurrency = own.MinRetryConcurrency,
            TokenRatio = policy.TokenRatio ?? own.TokenRatio,
            MinRetriesPerSecond = policy.MinRetriesPerSecond ?? own.MinRetriesPerSecond,
            TokenTtl = policy.TokenTtl ?? own.TokenTtl,
        };
    }

    /// <summary>A copy of <paramref name="retries"/> (Istio's default policy when <see langword="null"/>) with the policy's fields set.</summary>
    private static HttpRetryOptions Completed(HttpRetryOptions? retries, RetryExtensionPolicy policy)
    {
        var own = retries ?? new HttpRetryOptions();
        return new HttpRetryOptions
        {
            Attempts = own.Attempts,
            PerTryTimeout = own.PerTryTimeout,
            RetryOn = own.RetryOn,
            RetryRemoteLocalities = own.RetryRemoteLocalities,
            RetryIgnorePreviousHosts = own.RetryIgnorePreviousHosts,
            Backoff = own.Backoff,
            RetryNonIdempotent = policy.RetryNonIdempotent ?? own.RetryNonIdempotent,
            MaxRequestBufferBytes = policy.MaxRequestBufferBytes ?? own.MaxRequestBufferBytes,
            HonorRetryAfter = policy.HonorRetryAfter ?? own.HonorRetryAfter,
            Hedging = policy.Hedging is { } hedging ? new HttpHedgingOptions { Delay = hedging.Delay, MaxAttempts = hedging.MaxAttempts } : own.Hedging,
        };
    }

    /// <summary>A copy of <paramref name="route"/> with other retries.</summary>
    private static HttpRouteOptions WithRetries(HttpRouteOptions route, HttpRetryOptions retries)
    {
        var copy = new HttpRouteOptions
        {
            Name = route.Name,
            Source = route.Source,
            Redirect = route.Redirect,
            DirectResponse = route.DirectResponse,
            Rewrite = route.Rewrite,
            Headers = route.Headers,
            Fault = route.Fault,
            Mirror = route.Mirror,
            MirrorPercentage = route.MirrorPercentage,
            Timeout = route.Timeout,
            Retries = retries,
        };
        foreach (var match in route.Match)
        {
            copy.Match.Add(match);
        }

        foreach (var destination in route.Route)
        {
            copy.Route.Add(destination);
        }

        foreach (var mirror in route.Mirrors)
        {
            copy.Mirrors.Add(mirror);
        }

        return copy;
    }

    /// <summary>
    /// The core rules (buffer size, hedging attempts and delay, token budget), reported at the policy's
    /// fields: <c>route.retries.hedging.maxAttempts</c> becomes <c>spec.hedging.maxAttempts</c>,
    /// <c>trafficPolicy.retryBudget.tokenRatio</c> becomes <c>spec.retryBudget.tokenRatio</c>.
    /// </summary>
    private static void Validate(ObjectReader reader, YamlMappingNode spec, RetryExtensionPolicy policy)
    {
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.Dns };
        service.Hosts.Add("retry-policy.invalid");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        service.Route.Retries = Completed(null, policy);
        if (policy.HasTokenBudget)
        {
            service.TrafficPolicy.RetryBudget = WithTokens(null, policy);
        }

        var probe = new MeshOptions();
        probe.ExternalServices.Add(service);
        foreach (var finding in MeshConfigurationValidator.Validate(probe))
        {
            if (!finding.IsError || finding.FieldPath is not { } path)
            {
                continue;
            }

            var prefix = path.StartsWith(RoutePrefix, StringComparison.Ordinal) ? RoutePrefix : path.StartsWith(BudgetPrefix, StringComparison.Ordinal) ? BudgetPrefix : null;
            if (prefix is null)
            {
                continue;
            }

            var relative = path[prefix.Length..];
            var field = (prefix == BudgetPrefix ? "spec.retryBudget." : "spec.") + relative;
            var detail = field + (finding.Detail ?? path)[path.Length..];
            YamlNode node = spec;
            var parts = field["spec.".Length..].Split('.');
            foreach (var part in parts)
            {
                if (node is YamlMappingNode mapping && YamlNodes.Get(mapping, part) is { } child)
                {
                    node = child;
                }
            }

            reader.Error(node, field, detail);
        }
    }
}
