using System.Text;
using MeshClient.Configuration;
using MeshClient.Model;

namespace MeshClient.Routing;

/// <summary>
/// Turns a service's validated <see cref="HttpRouteOptions"/> into the <see cref="RouteDefinition"/>s
/// of one of its virtual hosts (a host and port): routes whose every match block names another port
/// are left out, as are those blocks. Destinations are resolved by a <see cref="ResolveDestination"/> to
/// cluster keys. Also the one place that compiles matchers, so validation and the snapshot agree.
/// </summary>
internal static class RouteCompiler
{
    /// <summary>Resolves a destination (host, explicit port or <see langword="null"/>, subset) seen from a virtual host on <c>port</c>.</summary>
    public delegate RouteDestination ResolveDestination(string host, int? port, string? subset, int requestPort);

    public static RouteDefinition[] Compile(ExternalServiceOptions service, ClusterKey self, TimeSpan? defaultTimeout, ResolveDestination resolve) =>
        Compile(service, self, defaultTimeout, Resilience.RetryPolicy.IstioDefault, resolve);

    /// <summary>Compiles the routes; a route without <c>retries</c> gets <paramref name="defaultRetry"/> (the mesh's, else Istio's default).</summary>
    public static RouteDefinition[] Compile(ExternalServiceOptions service, ClusterKey self, TimeSpan? defaultTimeout, Resilience.RetryPolicy? defaultRetry, ResolveDestination resolve)
    {
        if (service.Http.Count == 0)
        {
            // The service's single default route: everything to its own cluster.
            return
            [
                new RouteDefinition
                {
                    Destinations = [new RouteDestination(self, self.Host, 1, null, null, null) { Port = self.Port }],
                    Timeout = service.Route?.Timeout ?? defaultTimeout,
                    Retry = service.Route?.Retries is { } retries ? Resilience.RetryPolicy.From(retries) : defaultRetry,
                },
            ];
        }

        var routes = new List<RouteDefinition>(service.Http.Count);
        foreach (var options in service.Http)
        {
            if (Compile(options, self.Port, defaultTimeout, defaultRetry, resolve) is { } route)
            {
                routes.Add(route);
            }
        }

        return [.. routes];
    }

    private static RouteDefinition? Compile(HttpRouteOptions options, int port, TimeSpan? defaultTimeout, Resilience.RetryPolicy? defaultRetry, ResolveDestination resolve)
    {
        var matches = new List<RouteMatch>(options.Match.Count);
        foreach (var block in options.Match)
        {
            if (block.Port is { } only && only != port)
            {
                continue; // this block is for another port of the service
            }

            matches.Add(CompileMatch(block, out _) ?? throw new InvalidOperationException("The route was validated."));
        }

        if (options.Match.Count > 0 && matches.Count == 0)
        {
            return null; // every block names another port: the route is not on this virtual host
        }

        var requestHeaders = HeaderOperations.Compile(options.Headers?.Request, out var hostHeader);
        var destinations = new List<RouteDestination>(options.Route.Count);
        foreach (var entry in options.Route)
        {
            var weight = options.Route.Count == 1 ? 1 : entry.Weight ?? 0;
            if (weight <= 0)
            {
                continue; // with several destinations, a zero weight gets nothing (Istio drops it)
            }

            var target = entry.Destination!;
            var resolved = resolve(target.Host!.ToLowerInvariant(), target.Port?.Number, target.Subset, port);
            var destinationRequest = HeaderOperations.Compile(entry.Headers?.Request, out var destinationHost);
            destinations.Add(resolved with
            {
                Weight = weight,
                RequestHeaders = destinationRequest,
                ResponseHeaders = HeaderOperations.Compile(entry.Headers?.Response, out _),
                AuthorityRewrite = destinationHost,
            });
        }

        PathRewrite? rewrite = null;
        if (options.Rewrite?.Uri is { } prefix)
        {
            rewrite = PathRewrite.Prefix(prefix);
        }
        else if (options.Rewrite?.UriRegexRewrite is { Match: { } pattern } regexRewrite)
        {
            rewrite = PathRewrite.Regex(StringMatcher.CompileRegex(pattern, anchored: false, out _)!, regexRewrite.Rewrite ?? string.Empty);
        }

        var mirrors = new List<MirrorDefinition>();
        if (options.Mirror is { Host: { } mirrorHost } mirror)
        {
            mirrors.Add(new MirrorDefinition(resolve(mirrorHost.ToLowerInvariant(), mirror.Port?.Number, mirror.Subset, port), (options.MirrorPercentage ?? 100) / 100));
        }

        foreach (var policy in options.Mirrors)
        {
            if (policy?.Destination is { Host: { } host } destination)
            {
                mirrors.Add(new MirrorDefinition(resolve(host.ToLowerInvariant(), destination.Port?.Number, destination.Subset, port), (policy.Percentage ?? 100) / 100));
            }
        }

        var fault = Fault(options.Fault);
        return new RouteDefinition
        {
            Name = options.Name,
            Fault = fault,
            Mirrors = [.. mirrors],
            Matches = [.. matches],
            Destinations = [.. destinations],
            PathRewrite = rewrite,
            AuthorityRewrite = options.Rewrite?.Authority ?? hostHeader,
            RequestHeaders = requestHeaders,
            ResponseHeaders = HeaderOperations.Compile(options.Headers?.Response, out _),
            Redirect = options.Redirect is { } redirect
                ? new RedirectDefinition(redirect.Uri, redirect.Authority, redirect.Port, redirect.Scheme, redirect.RedirectCode)
                {
                    PrefixRewrite = redirect.PrefixRewrite is { } redirectPrefix ? PathRewrite.Prefix(redirectPrefix) : null,
                    DerivePort = redirect.DerivePort,
                }
                : null,
            DirectResponse = options.DirectResponse is { } direct
                ? new DirectResponseDefinition(direct.Status, direct.BodyBytes ?? (direct.BodyString is { } text ? Encoding.UTF8.GetBytes(text) : null))
                : null,
            Timeout = fault is null ? options.Timeout ?? defaultTimeout : null, // Istio: no timeout with a fault

            // Redirects and direct responses are answered in process: nothing to retry; a route with a fault gets no retries (Istio).
            Retry = fault is not null || options.Redirect is not null || options.DirectResponse is not null ? null : options.Retries is { } retries ? Resilience.RetryPolicy.From(retries) : defaultRetry,
        };
    }

    private static FaultDefinition? Fault(HttpFaultInjectionOptions? options)
    {
        if (options is null || (options.Delay is null && options.Abort is null))
        {
            return null;
        }

        int? grpc = options.Abort?.GrpcStatus is { } name && FaultDefinition.GrpcCodes.TryGetValue(name, out var code) ? code : null;
        return new FaultDefinition(
            options.Delay?.FixedDelay,
            (options.Delay?.Percentage ?? 0) / 100,
            options.Abort?.HttpStatus,
            grpc,
            (options.Abort?.Percentage ?? 0) / 100);
    }

    /// <summary>Compiles one match block; <see langword="null"/> with every problem (relative field path, then text) when it is invalid.</summary>
    public static RouteMatch? CompileMatch(HttpMatchOptions block, out List<(string Field, string Problem)> problems)
    {
        problems = [];
        var uri = Field(block.Uri, "uri", block.IgnoreUriCase, problems);
        var scheme = Field(block.Scheme, "scheme", false, problems);
        var method = Field(block.Method, "method", false, problems);
        var authority = Field(block.Authority, "authority", false, problems);
        var headers = new List<HeaderMatcher>();
        Headers(block.Headers, "headers", invert: false, headers, problems);
        Headers(block.WithoutHeaders, "withoutHeaders", invert: true, headers, problems);
        var query = new List<QueryParamMatcher>();
        foreach (var (name, match) in block.QueryParams)
        {
            if (match?.Prefix is not null)
            {
                problems.Add(($"queryParams.{name}.prefix", ": Invalid value: query parameters match exactly or by regex, not by prefix (as in Istio)."));
                continue;
            }

            if (Field(match ?? new StringMatchOptions(), $"queryParams.{name}", false, problems) is { } matcher)
            {
                query.Add(new QueryParamMatcher(name, matcher));
            }
        }

        if (problems.Count > 0)
        {
            return null;
        }

        return new RouteMatch
        {
            Name = block.Name,
            Uri = uri,
            Scheme = scheme,
            Method = method,
            Authority = authority,
            Headers = [.. headers],
            QueryParams = [.. query],
            Port = block.Port,
        };
    }

    private static void Headers(IDictionary<string, StringMatchOptions> source, string field, bool invert, List<HeaderMatcher> into, List<(string, string)> problems)
    {
        foreach (var (name, match) in source)
        {
            // Istio ignores keys that name pseudo-headers it matches elsewhere.
            if (name is "uri" or "scheme" or "method" or "authority")
            {
                continue;
            }

            if (Field(match ?? new StringMatchOptions(), $"{field}.{name}", false, problems) is { } matcher)
            {
                into.Add(new HeaderMatcher(name, matcher, invert));
            }
        }
    }

    private static StringMatcher? Field(StringMatchOptions? options, string field, bool ignoreCase, List<(string, string)> problems)
    {
        if (options is null)
        {
            return null;
        }

        var matcher = StringMatcher.Compile(options, ignoreCase, out var problem);
        if (problem is not null)
        {
            problems.Add((field, problem));
        }

        return matcher;
    }
}
