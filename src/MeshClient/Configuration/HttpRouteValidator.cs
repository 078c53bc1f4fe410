using System.Globalization;
using MeshClient.Routing;

namespace MeshClient.Configuration;

/// <summary>
/// Validates a service's <see cref="ExternalServiceOptions.Http"/> routes and
/// <see cref="ExternalServiceOptions.Subsets"/> with Istio's VirtualService and DestinationRule rules
/// (ISTIO-SEMANTICS.md §2, §3.0), every finding with its field path (<c>http[0].match[1].uri.regex</c>).
/// References to other services (destination hosts, subsets) are checked across services by
/// <see cref="CheckReferences"/>.
/// </summary>
internal static class HttpRouteValidator
{
    private static readonly int[] RedirectCodes = [301, 302, 303, 307, 308];
    private static readonly System.Buffers.SearchValues<char> NotInAuthority = System.Buffers.SearchValues.Create(" \t\r\n\0/");

    public static void Validate(ExternalServiceOptions service, ServiceFindings findings)
    {
        ValidateSubsets(service, findings);
        if (service.Http.Count > 0 && service.Route?.Timeout is not null)
        {
            findings.Warning("route.timeout", " is not used: the service has http routes, and each route sets its own timeout.");
        }

        if (service.Http.Count > 0 && service.Route?.Retries is not null)
        {
            findings.Warning("route.retries", " is not used: the service has http routes, and each route sets its own retries.");
        }

        for (var i = 0; i < service.Http.Count; i++)
        {
            var path = $"http[{i}]";
            if (service.Http[i] is not { } route)
            {
                findings.Error(path, ": Required value: a route must not be null.");
                continue;
            }

            ValidateRoute(route, path, findings);
        }
    }

    private static void ValidateRoute(HttpRouteOptions route, string path, ServiceFindings findings)
    {
        var kinds = (route.Route.Count > 0 ? 1 : 0) + (route.Redirect is null ? 0 : 1) + (route.DirectResponse is null ? 0 : 1);
        if (kinds == 0)
        {
            findings.Error(path, ": Invalid value: HTTP route, redirect or direct response is required.");
        }
        else if (kinds > 1)
        {
            findings.Error(path, ": Invalid value: route, redirect and directResponse cannot be combined.");
        }

        if (route.Rewrite is not null && (route.Redirect is not null || route.DirectResponse is not null))
        {
            findings.Error(path + ".rewrite", ": Invalid value: rewrite cannot be combined with redirect or directResponse.");
        }

        for (var j = 0; j < route.Match.Count; j++)
        {
            var matchPath = $"{path}.match[{j}]";
            if (route.Match[j] is not { } block)
            {
                findings.Error(matchPath, ": Required value: a match block must not be null.");
                continue;
            }

            RouteCompiler.CompileMatch(block, out var problems);
            foreach (var (field, problem) in problems)
            {
                Report(findings, $"{matchPath}.{field}", problem);
            }

            if (block.Port is { } port && port is < 1 or > 65535)
            {
                findings.Error(matchPath + ".port", FormattableString.Invariant($": Invalid value: port must be between 1-65535 (was '{port}')."));
            }
        }

        ValidateDestinations(route, path, findings);
        ValidateHeaders(route.Headers, path + ".headers", findings);
        ValidateRewrite(route.Rewrite, path + ".rewrite", findings);
        ValidateRedirect(route.Redirect, path + ".redirect", findings);
        if (route.DirectResponse is { } direct)
        {
            if (direct.Status is < 200 or > 599)
            {
                findings.Error(path + ".directResponse.status", FormattableString.Invariant($": Invalid value: status must be between 200 and 599 (was '{direct.Status}')."));
            }

            if (direct.BodyString is not null && direct.BodyBytes is not null)
            {
                findings.Error(path + ".directResponse.body", ": Invalid value: set either a string or bytes body, not both.");
            }
        }

        if (route.Timeout is { } timeout && DurationValidator.Check(timeout) is { } timeoutProblem)
        {
            findings.Error(path + ".timeout", " " + timeoutProblem);
        }

        RetryOptionsValidator.Validate(route.Retries, route.Timeout, path + ".retries", RetryOptionsValidator.To(findings));
        ValidateFault(route, path, findings);
        ValidateMirrors(route, path, findings);
    }

    private static void ValidateFault(HttpRouteOptions route, string path, ServiceFindings findings)
    {
        if (route.Fault is not { } fault)
        {
            return;
        }

        path += ".fault";
        if (route.Redirect is not null || route.DirectResponse is not null)
        {
            findings.Error(path, ": Invalid value: fault cannot be combined with redirect or directResponse.");
        }

        if (fault.Delay is null && fault.Abort is null)
        {
            findings.Error(path, ": Invalid value: a fault needs a delay or an abort.");
        }

        if (route.Timeout is not null)
        {
            findings.Warning(path, ": the route's timeout is not applied while it injects faults (as in Istio: a route with a fault gets no timeout or retries).");
        }

        if (fault.Delay is { } delay)
        {
            if (delay.FixedDelay is not { } fixedDelay)
            {
                findings.Error(path + ".delay.fixedDelay", ": Required value: a delay needs fixedDelay.");
            }
            else if (DurationValidator.Check(fixedDelay) is { } problem)
            {
                findings.Error(path + ".delay.fixedDelay", " " + problem);
            }

            CheckPercentage(delay.Percentage, path + ".delay", findings);
        }

        if (fault.Abort is { } abort)
        {
            if ((abort.HttpStatus is null) == (abort.GrpcStatus is null))
            {
                findings.Error(path + ".abort", ": Invalid value: set exactly one of httpStatus and grpcStatus.");
            }

            if (abort.HttpStatus is { } status and (< 200 or > 599))
            {
                findings.Error(path + ".abort.httpStatus", FormattableString.Invariant($": Invalid value: {status}: must be between 200 and 599."));
            }

            if (abort.GrpcStatus is { } grpc && !FaultDefinition.GrpcCodes.ContainsKey(grpc))
            {
                findings.Error(path + ".abort.grpcStatus", $": Invalid value: '{DiagnosticText.Cut(grpc)}' is not a gRPC status name (such as UNAVAILABLE or DEADLINE_EXCEEDED).");
            }

            CheckPercentage(abort.Percentage, path + ".abort", findings);
        }
    }

    private static void CheckPercentage(double? percentage, string path, ServiceFindings findings)
    {
        if (percentage is not { } value)
        {
            findings.Warning(path + ".percentage", " is not set, so this fault never applies (as in Istio); set it to 100 for every request.");
        }
        else if (double.IsNaN(value) || value < 0 || value > 100)
        {
            findings.Error(path + ".percentage", FormattableString.Invariant($": Invalid value: {value}: must be between 0 and 100."));
        }
    }

    private static void ValidateMirrors(HttpRouteOptions route, string path, ServiceFindings findings)
    {
        if (route.Mirror is not null && route.Mirrors.Count > 0)
        {
            findings.Error(path + ".mirror", ": Invalid value: mirror and mirrors cannot both be set.");
        }

        if (route.Mirror is { } mirror && string.IsNullOrEmpty(mirror.Host))
        {
            findings.Error(path + ".mirror.host", ": Required value: a mirror needs a host.");
        }

        CheckMirrorPercentage(route.MirrorPercentage, path + ".mirrorPercentage", findings);
        for (var i = 0; i < route.Mirrors.Count; i++)
        {
            var policyPath = string.Create(CultureInfo.InvariantCulture, $"{path}.mirrors[{i}]");
            if (route.Mirrors[i]?.Destination is not { Host: { Length: > 0 } })
            {
                findings.Error(policyPath + ".destination.host", ": Required value: a mirror needs a host.");
            }

            CheckMirrorPercentage(route.Mirrors[i]?.Percentage, policyPath + ".percentage", findings);
        }
    }

    private static void CheckMirrorPercentage(double? percentage, string path, ServiceFindings findings)
    {
        if (percentage is { } value && (double.IsNaN(value) || value < 0 || value > 100))
        {
            findings.Error(path, FormattableString.Invariant($": Invalid value: {value}: must be between 0 and 100."));
        }
    }

    private static void ValidateDestinations(HttpRouteOptions route, string path, ServiceFindings findings)
    {
        long total = 0;
        for (var k = 0; k < route.Route.Count; k++)
        {
            var destinationPath = $"{path}.route[{k}]";
            var entry = route.Route[k];
            if (entry?.Destination is not { } destination || string.IsNullOrEmpty(destination.Host))
            {
                findings.Error(destinationPath + ".destination.host", ": Required value: every route destination needs a host.");
                continue;
            }

            if (entry.Weight is { } weight)
            {
                if (weight < 0)
                {
                    findings.Error(destinationPath + ".weight", FormattableString.Invariant($": Invalid value: {weight}: weight must not be negative."));
                }
                else
                {
                    total += weight;
                }
            }

            if (destination.Port is { Number: < 1 or > 65535 } port)
            {
                findings.Error(destinationPath + ".destination.port.number", FormattableString.Invariant($": Invalid value: port must be between 1-65535 (was '{port.Number}')."));
            }

            ValidateHeaders(entry.Headers, destinationPath + ".headers", findings);
        }

        if (route.Route.Count > 1 && total == 0)
        {
            findings.Error(path + ".route", ": Invalid value: total destination weight is 0; with more than one destination at least one weight must be positive.");
        }
    }

    private static void ValidateHeaders(HeadersOptions? headers, string path, ServiceFindings findings)
    {
        ValidateOperations(headers?.Request, path + ".request", findings);
        ValidateOperations(headers?.Response, path + ".response", findings);
    }

    private static void ValidateOperations(HeaderOperationsOptions? operations, string path, ServiceFindings findings)
    {
        if (operations is null)
        {
            return;
        }

        foreach (var (field, values) in (ReadOnlySpan<(string, IDictionary<string, string>)>)[("set", operations.Set), ("add", operations.Add)])
        {
            foreach (var (name, value) in values)
            {
                CheckName(name, $"{path}.{field}", findings);
                if (value is null || value.AsSpan().IndexOfAny('\r', '\n') >= 0 || value.Contains('\0', StringComparison.Ordinal))
                {
                    findings.Error($"{path}.{field}.{DiagnosticText.Cut(name)}", ": Invalid value: a header value must not be null or contain CR, LF or NUL.");
                }
            }
        }

        for (var i = 0; i < operations.Remove.Count; i++)
        {
            CheckName(operations.Remove[i], $"{path}.remove[{i}]", findings);
        }
    }

    private static void CheckName(string? name, string path, ServiceFindings findings)
    {
        if (string.IsNullOrEmpty(name) || name.AsSpan().IndexOfAny(" \t\r\n\0") >= 0 || (name.IndexOf(':', 1) > 0))
        {
            findings.Error(path, $": Invalid value: '{DiagnosticText.Cut(name ?? string.Empty)}' is not a header name.");
        }
    }

    private static void ValidateRewrite(HttpRewriteOptions? rewrite, string path, ServiceFindings findings)
    {
        if (rewrite is null)
        {
            return;
        }

        if (rewrite.Uri is not null && rewrite.UriRegexRewrite is not null)
        {
            findings.Error(path, ": Invalid value: uri and uriRegexRewrite cannot both be set.");
        }

        if (rewrite.UriRegexRewrite is { } regex)
        {
            if (regex.Match is null)
            {
                findings.Error(path + ".uriRegexRewrite.match", ": Required value: the pattern is required.");
            }
            else if (StringMatcher.CompileRegex(regex.Match, anchored: false, out var problem) is null)
            {
                findings.Error(path + ".uriRegexRewrite.match", problem!);
            }

            if (regex.Rewrite is null)
            {
                findings.Error(path + ".uriRegexRewrite.rewrite", ": Required value: the replacement is required (it may be empty).");
            }
        }

        if (rewrite.Authority is { } authority && (authority.Length == 0 || authority.AsSpan().IndexOfAny(NotInAuthority) >= 0))
        {
            findings.Error(path + ".authority", $": Invalid value: '{DiagnosticText.Cut(authority)}' is not an authority.");
        }
    }

    private static void ValidateRedirect(HttpRedirectOptions? redirect, string path, ServiceFindings findings)
    {
        if (redirect is null)
        {
            return;
        }

        if (Array.IndexOf(RedirectCodes, redirect.RedirectCode) < 0)
        {
            findings.Error(path + ".redirectCode", FormattableString.Invariant($": Invalid value: {redirect.RedirectCode}: a redirect code must be 301, 302, 303, 307 or 308."));
        }

        if (redirect.Port is { } port && port is < 1 or > 65535)
        {
            findings.Error(path + ".port", FormattableString.Invariant($": Invalid value: port must be between 1-65535 (was '{port}')."));
        }

        if (redirect.Scheme is { } scheme && !Uri.CheckSchemeName(scheme))
        {
            findings.Error(path + ".scheme", $": Invalid value: '{DiagnosticText.Cut(scheme)}' is not a URI scheme.");
        }

        if (redirect.Authority is { } authority && (authority.Length == 0 || authority.AsSpan().IndexOfAny(NotInAuthority) >= 0))
        {
            findings.Error(path + ".authority", $": Invalid value: '{DiagnosticText.Cut(authority)}' is not an authority.");
        }

        CheckPath(redirect.Uri, path + ".uri", findings);
        CheckPath(redirect.PrefixRewrite, path + ".prefixRewrite", findings);

        if (redirect.Uri is not null && redirect.PrefixRewrite is not null)
        {
            findings.Error(path + ".prefixRewrite", ": Invalid value: uri and prefixRewrite cannot both be set: uri replaces the whole path, prefixRewrite the part the route matched.");
        }

        if (redirect.DerivePort is { } derive && !Enum.IsDefined(derive))
        {
            findings.Error(path + ".derivePort", FormattableString.Invariant($": Unsupported value: {(int)derive}: supported values: FromProtocolDefault, FromRequestPort."));
        }
        else if (redirect.DerivePort is not null && redirect.Port is not null)
        {
            findings.Error(path + ".derivePort", ": Invalid value: port and derivePort cannot both be set: one chooses the redirect's port.");
        }
    }

    /// <summary>A path a redirect writes (<c>uri</c>, <c>prefixRewrite</c>): no whitespace or NUL, which would split the <c>Location</c> header.</summary>
    private static void CheckPath(string? value, string field, ServiceFindings findings)
    {
        if (value is not null && value.AsSpan().IndexOfAny(" \t\r\n\0") >= 0)
        {
            findings.Error(field, $": Invalid value: '{DiagnosticText.Cut(value)}' is not a path.");
        }
    }

    private static void ValidateSubsets(ExternalServiceOptions service, ServiceFindings findings)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < service.Subsets.Count; i++)
        {
            var path = $"subsets[{i}]";
            if (service.Subsets[i] is not { } subset)
            {
                findings.Error(path, ": Required value: a subset must not be null.");
                continue;
            }

            if (string.IsNullOrEmpty(subset.Name))
            {
                findings.Error(path + ".name", ": Required value: every subset needs a name.");
            }
            else if (!names.Add(subset.Name))
            {
                findings.Error(path + ".name", $": Invalid value: duplicate subset name '{DiagnosticText.Cut(subset.Name)}'.");
            }

            if (subset.TrafficPolicy is { } policy)
            {
                TrafficPolicyOptionsValidator.Validate(policy, path + ".trafficPolicy", findings, null, service.TrafficPolicy);
            }
        }
    }

    /// <summary>
    /// Route destinations that name no registered service, or a subset the service does not declare:
    /// valid (Istio accepts them), but the requests they get fail — warned, with what happens.
    /// </summary>
    public static void CheckReferences(MeshOptions options, List<MeshConfigurationDiagnostic> results)
    {
        var index = new RouteReferences(options.ExternalServices);
        foreach (var service in options.ExternalServices)
        {
            if (service is null)
            {
                continue;
            }

            var findings = new ServiceFindings(service, results);
            for (var i = 0; i < service.Http.Count; i++)
            {
                var route = service.Http[i];
                if (route is null || route.Source is not null)
                {
                    continue; // a source that sets Source checked the references (and names its own file and fields)
                }

                RouteReferences.Check(route, string.Create(CultureInfo.InvariantCulture, $"http[{i}]"), index, findings.Warning);
            }
        }
    }

    /// <summary>A compiler problem reads either <c>: text</c> (about the field itself) or <c>.sub: text</c> (about a part of it).</summary>
    private static void Report(ServiceFindings findings, string field, string problem)
    {
        if (problem.StartsWith('.'))
        {
            var colon = problem.IndexOf(':', StringComparison.Ordinal);
            findings.Error(field + problem[..colon], problem[colon..]);
        }
        else
        {
            findings.Error(field, problem);
        }
    }
}
