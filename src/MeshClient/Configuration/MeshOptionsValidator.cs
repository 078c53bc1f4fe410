using System.Globalization;
using System.Net;
using MeshClient.Model;

namespace MeshClient.Configuration;

/// <summary>
/// Validates <see cref="MeshOptions"/> with Istio's ServiceEntry rules (ISTIO-SEMANTICS.md §1.3),
/// collecting every error and warning. Each message names the source, the service and the field path:
/// <c>External service 'api.example.com': ports[0].number port must be between 1-65535 (was '0').</c>
/// </summary>
internal static class MeshOptionsValidator
{
    /// <summary>The longest Unix domain socket path Linux takes (<c>sun_path</c> is 108 bytes with its terminating NUL).</summary>
    private const int MaxUnixSocketPathBytes = 107;

    private const int MaxPort = 65535;

    /// <param name="options">The options.</param>
    /// <param name="resolvers">The names of the registered <see cref="Discovery.IMeshEndpointResolver"/>s; <see langword="null"/> not to check the names services select.</param>
    /// <param name="credentials">The registered <see cref="IMeshCredentialProvider"/>, or <see langword="null"/> for the directory default.</param>
    public static List<MeshConfigurationDiagnostic> Validate(MeshOptions options, IReadOnlyCollection<string>? resolvers = null, IMeshCredentialProvider? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<MeshConfigurationDiagnostic>(options.SourceDiagnostics);
        if (options.MaxAutomaticRedirections <= 0)
        {
            results.Add(MeshConfigurationDiagnostic.Error(
                FormattableString.Invariant($"maxAutomaticRedirections must be greater than 0 (was '{options.MaxAutomaticRedirections}'); set allowAutoRedirect to false not to follow redirects.")));
        }

        for (var i = 0; i < options.RedirectRemovedHeaders.Count; i++)
        {
            var name = options.RedirectRemovedHeaders[i];
            if (string.IsNullOrWhiteSpace(name) || name.AsSpan().IndexOfAny(" \t:\r\n") >= 0)
            {
                results.Add(MeshConfigurationDiagnostic.Error($"redirectRemovedHeaders[{i}] '{DiagnosticText.Cut(name ?? string.Empty)}' is not a header name."));
            }
        }

        if (options.MaxConcurrentMirrors < 1)
        {
            results.Add(MeshConfigurationDiagnostic.Error(FormattableString.Invariant($"maxConcurrentMirrors must be at least 1 (was '{options.MaxConcurrentMirrors}').")));
        }

        if (options.MaxMirroredBodyBytes < 0)
        {
            results.Add(MeshConfigurationDiagnostic.Error(FormattableString.Invariant($"maxMirroredBodyBytes must not be negative (was '{options.MaxMirroredBodyBytes}').")));
        }

        if (options.DefaultTimeout is { } defaultTimeout && DurationValidator.Check(defaultTimeout) is { } problem)
        {
            results.Add(MeshConfigurationDiagnostic.Error("defaultTimeout " + problem));
        }

        if (options.CertificateRefreshInterval < TimeSpan.FromSeconds(1))
        {
            results.Add(MeshConfigurationDiagnostic.Error($"certificateRefreshInterval must be at least 1s (was '{DurationValidator.Format(options.CertificateRefreshInterval)}')."));
        }

        RetryOptionsValidator.Validate(options.DefaultRetryPolicy, null, "defaultRetryPolicy", (error, path, rest) =>
            results.Add(error ? MeshConfigurationDiagnostic.Error(path + rest) : MeshConfigurationDiagnostic.Warning(path + rest)));

        if (LocalityLbSettingValidator.ClientLocality(options.Locality) is { } locality)
        {
            results.Add(MeshConfigurationDiagnostic.Error(locality));
        }

        DnsOptionsValidator.Validate(options.Dns, results);
        EgressProxyOptionsValidator.ValidateMesh(options, results, credentials);
        ValidatePassthroughDestination(options, results);
        MeshTelemetryOptionsValidator.Validate(options.Telemetry, results);

        // A field a source (the Istio loader) already reported an error for is not reported again.
        var reported = new HashSet<(string Source, string FieldPath)>();
        foreach (var diagnostic in options.SourceDiagnostics)
        {
            if (diagnostic is { IsError: true, Source: { } source, FieldPath: { } field })
            {
                reported.Add((source, field));
            }
        }

        var declared = new Dictionary<(string Host, int Port), ExternalServiceOptions>();
        for (var i = 0; i < options.ExternalServices.Count; i++)
        {
            var service = options.ExternalServices[i];
            if (service is null)
            {
                results.Add(MeshConfigurationDiagnostic.Error($"externalServices[{i}] must not be null."));
                continue;
            }

            new ServiceValidation(service, results, reported, options.CredentialsDirectory, resolvers, credentials).Run();
            CheckDuplicates(service, declared, results);
        }

        HttpRouteValidator.CheckReferences(options, results);

        return results;
    }

    // Across services only: a port repeated inside one service is the "port number cannot be duplicated" error.
    private static void CheckDuplicates(ExternalServiceOptions service, Dictionary<(string Host, int Port), ExternalServiceOptions> declared, List<MeshConfigurationDiagnostic> results)
    {
        foreach (var host in service.Hosts)
        {
            if (string.IsNullOrEmpty(host))
            {
                continue;
            }

            foreach (var port in service.Ports)
            {
                var key = (host.ToLowerInvariant(), port.Number);
                if (declared.TryGetValue(key, out var first))
                {
                    if (ReferenceEquals(first, service))
                    {
                        continue;
                    }

                    results.Add(Finding(
                        service,
                        MeshDiagnosticSeverity.Warning,
                        null,
                        $"host '{DiagnosticText.Cut(host)}' port {port.Number} is already declared by external service '{DiagnosticText.Cut(first.DisplayName)}'; the first declaration wins, as in Istio."));
                }
                else
                {
                    declared[key] = service;
                }
            }
        }
    }

    /// <summary>A finding about one service: the message is the prefix plus <paramref name="detail"/>, which starts with <paramref name="fieldPath"/> when there is one.</summary>
    internal static MeshConfigurationDiagnostic Finding(ExternalServiceOptions service, MeshDiagnosticSeverity severity, string? fieldPath, string detail) =>
        new(severity, Prefix(service) + detail)
        {
            Source = service.Source,
            Service = service.DisplayName,
            FieldPath = fieldPath,
            Detail = detail,
        };

    internal static string Prefix(ExternalServiceOptions service) =>
        (service.Source is null ? string.Empty : service.Source + ": ") + $"External service '{DiagnosticText.Cut(service.DisplayName)}': ";

    private readonly struct ServiceValidation(ExternalServiceOptions service, List<MeshConfigurationDiagnostic> results, HashSet<(string Source, string FieldPath)> reported, string? credentialsDirectory, IReadOnlyCollection<string>? resolvers, IMeshCredentialProvider? credentials)
    {
        public void Run()
        {
            ValidateHosts();
            ValidateAddresses();
            ValidatePorts();
            ValidateResolutionAndEndpoints();
            ValidateResolver();
            ValidateExportTo();
            TrafficPolicyOptionsValidator.Validate(service.TrafficPolicy, "trafficPolicy", Findings, service.Resolution == ServiceResolution.Static ? service.Endpoints.Count : null);
            TlsOptionsValidator.ValidateService(service, Findings, credentialsDirectory, credentials);
            RouteOptionsValidator.Validate(service.Route, "route", Findings);
            HttpRouteValidator.Validate(service, Findings);
            HealthCheckOptionsValidator.Validate(service, "healthCheck", Findings);
            FallbackOptionsValidator.Validate(service.Fallback, "fallback", Findings);

            EgressProxyOptionsValidator.ValidateService(service, Findings, credentialsDirectory, credentials);
            MeshTelemetryOptionsValidator.ValidateService(service, Findings);
        }

        private ServiceFindings Findings => new(service, results, reported);

        /// <summary>An error about <paramref name="fieldPath"/>: the message reads the path, then <paramref name="rest"/>.</summary>
        private void Error(string? fieldPath, string rest) => Findings.Error(fieldPath, rest);

        private void Warning(string? fieldPath, string rest) => Findings.Warning(fieldPath, rest);

        private void ValidateHosts()
        {
            if (service.Hosts.Count == 0)
            {
                Error("hosts", ": Required value: at least one host is required.");
                return;
            }

            for (var i = 0; i < service.Hosts.Count; i++)
            {
                var host = service.Hosts[i];
                if (string.IsNullOrEmpty(host))
                {
                    Error($"hosts[{i}]", " must not be empty.");
                }
                else if (!System.Text.Ascii.IsValid(host))
                {
                    // Istio accepts ASCII host names only; lower-casing would turn U+212A KELVIN SIGN into 'k'.
                    Error($"hosts[{i}]", $" domain name \"{DiagnosticText.Cut(host)}\" invalid (label \"{DiagnosticText.Cut(FirstNonAsciiLabel(host))}\" invalid): host names must be ASCII; write an internationalized name in its punycode form (xn--...).");
                }
                else if (host == "*")
                {
                    Error($"hosts[{i}]", " hostname cannot be wildcard '*' (declare the domains the service answers for).");
                }
                else if (HostPattern.IsPartialWildcard(host))
                {
                    Warning($"hosts[{i}]", $" '{DiagnosticText.Cut(host)}' is a partial wildcard; only a full first label '*.' is a proper wildcard (it matches any host ending in '{DiagnosticText.Cut(host[1..])}').");
                }
                else if (!IsValidDomain(HostPattern.IsWildcard(host) ? host[2..] : host))
                {
                    Error($"hosts[{i}]", $" '{DiagnosticText.Cut(host)}' is not a valid domain name: each label must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit.");
                }
            }
        }

        private void ValidateAddresses()
        {
            for (var i = 0; i < service.Addresses.Count; i++)
            {
                var address = service.Addresses[i];
                var slash = address?.IndexOf('/', StringComparison.Ordinal) ?? -1;
                if (string.IsNullOrEmpty(address))
                {
                    Error($"addresses[{i}]", " must not be empty.");
                }
                else if (slash >= 0)
                {
                    if (!IPAddress.TryParse(address.AsSpan(0, slash), out var ip)
                        || !int.TryParse(address.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
                        || bits > (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
                    {
                        Error($"addresses[{i}]", $" '{DiagnosticText.Cut(address)}' is not a valid IP address or CIDR block.");
                    }
                    else if (service.Resolution is not (ServiceResolution.None or ServiceResolution.Static))
                    {
                        Error($"addresses[{i}]", $" '{DiagnosticText.Cut(address)}': CIDR addresses are allowed only for NONE/STATIC resolution types (resolution is {IstioNames.Format(service.Resolution)}).");
                    }
                }
                else if (!IPAddress.TryParse(address, out _))
                {
                    Error($"addresses[{i}]", $" '{DiagnosticText.Cut(address)}' is not a valid IP address or CIDR block.");
                }
            }
        }

        private void ValidatePorts()
        {
            if (service.Ports.Count == 0)
            {
                Warning(null, "declares no ports, so no request can match it; add the port the application calls (for example 443 for https).");
            }

            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            var numbers = new Dictionary<int, int>();
            for (var i = 0; i < service.Ports.Count; i++)
            {
                var port = service.Ports[i];
                if (port is null)
                {
                    Error($"ports[{i}]", " must not be null.");
                    continue;
                }

                if (port.Number is < 1 or > MaxPort)
                {
                    Error($"ports[{i}].number", $" port must be between 1-65535 (was '{port.Number}').");
                }
                else if (!numbers.TryAdd(port.Number, i))
                {
                    Error($"ports[{i}].number", $" port number cannot be duplicated: {port.Number} is also ports[{numbers[port.Number]}].");
                }

                if (port.TargetPort is { } target && target is < 1 or > MaxPort)
                {
                    Error($"ports[{i}].targetPort", $" port must be between 1-65535 (was '{target}').");
                }

                if (string.IsNullOrEmpty(port.Name))
                {
                    Error($"ports[{i}].name", ": Required value: every port needs a name.");
                }
                else if (!IsDns1123Label(port.Name))
                {
                    Error($"ports[{i}].name", $" invalid port name '{DiagnosticText.Cut(port.Name)}': it must be a DNS-1123 label (lowercase letters, digits and '-').");
                }
                else if (!names.TryAdd(port.Name, i))
                {
                    Error($"ports[{i}].name", $": Duplicate value: '{DiagnosticText.Cut(port.Name)}' is also the name of ports[{names[port.Name]}].");
                }
            }

            if (service.Resolution != ServiceResolution.None && service.Hosts.Count > 1)
            {
                for (var i = 0; i < service.Ports.Count; i++)
                {
                    var protocol = service.Ports[i]?.Protocol ?? ServiceProtocol.Unspecified;
                    if (protocol is not (ServiceProtocol.Http or ServiceProtocol.Https or ServiceProtocol.Http2 or ServiceProtocol.Grpc or ServiceProtocol.GrpcWeb or ServiceProtocol.Tls))
                    {
                        Error($"ports[{i}]", $" multiple hosts provided with non-HTTP, non-TLS ports (protocol '{IstioNames.Format(protocol)}').");
                    }
                }
            }
        }

        private void ValidateResolutionAndEndpoints()
        {
            var resolution = service.Resolution;
            switch (resolution)
            {
                case ServiceResolution.None:
                    if (service.Endpoints.Count > 0)
                    {
                        Error("endpoints", ": NONE mode cannot set endpoints; set resolution to STATIC to load-balance across them.");
                    }

                    return;
                case ServiceResolution.Static:
                    if (service.Endpoints.Count == 0)
                    {
                        Warning("resolution", " STATIC with no endpoints: every request will fail with 503 no healthy upstream (UH).");
                    }

                    break;
                case ServiceResolution.Dns or ServiceResolution.DnsRoundRobin:
                    ValidateDnsHosts(resolution);
                    if (resolution == ServiceResolution.DnsRoundRobin && service.Endpoints.Count > 1)
                    {
                        Error("endpoints", $": DNS_ROUND_ROBIN mode cannot have multiple endpoints (has {service.Endpoints.Count}).");
                    }

                    break;
                case ServiceResolution.DynamicDns:
                    ValidateDynamicDns();
                    return;
                default:
                    Error("resolution", $" has an unknown value '{(int)resolution}'.");
                    return;
            }

            var portNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var port in service.Ports)
            {
                if (port?.Name is { } name)
                {
                    portNames.Add(name);
                }
            }

            var unixSockets = false;
            for (var i = 0; i < service.Endpoints.Count; i++)
            {
                unixSockets |= resolution == ServiceResolution.Static && Model.EndpointDefinition.IsUnixSocket(service.Endpoints[i]?.Address);
                ValidateEndpoint(i, service.Endpoints[i], portNames, resolution);
            }

            if (unixSockets && service.Ports.Count != 1)
            {
                Error("ports", FormattableString.Invariant($": exactly 1 service port required for unix endpoints (has {service.Ports.Count})."));
            }
        }

        private void ValidateResolver()
        {
            if (service.Resolver is not { } name)
            {
                return;
            }

            if (service.Resolution is not (ServiceResolution.Dns or ServiceResolution.DnsRoundRobin or ServiceResolution.DynamicDns))
            {
                Error("resolver", $" '{DiagnosticText.Cut(name)}' applies only to the resolutions DNS, DNS_ROUND_ROBIN and DYNAMIC_DNS (resolution is {IstioNames.Format(service.Resolution)}).");
            }
            else if (resolvers is not null && !resolvers.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                var known = resolvers.Count == 0 ? "none is registered" : "registered: " + DiagnosticText.Cut(string.Join(", ", resolvers), 500);
                Error("resolver", $" '{DiagnosticText.Cut(name)}' is not a registered IMeshEndpointResolver ({known}).");
            }
        }

        /// <summary>DNS and DNS_ROUND_ROBIN without endpoints resolve the hosts themselves: each must be a plain name.</summary>
        private void ValidateDnsHosts(ServiceResolution resolution)
        {
            if (service.Endpoints.Count > 0)
            {
                return;
            }

            for (var i = 0; i < service.Hosts.Count; i++)
            {
                if (service.Hosts[i] is { Length: > 0 } host && HostPattern.IsWildcard(host))
                {
                    Error($"hosts[{i}]", $" '{DiagnosticText.Cut(host)}': hosts must be FQDN if no endpoints are provided for resolution mode {IstioNames.Format(resolution)} (a wildcard names no host to resolve; list endpoints, or use DYNAMIC_DNS).");
                }
            }
        }

        /// <summary>DYNAMIC_DNS resolves the requested host: wildcard hosts only, no endpoints, no addresses, HTTP or TLS ports.</summary>
        private void ValidateDynamicDns()
        {
            if (service.Endpoints.Count > 0)
            {
                Error("endpoints", ": DYNAMIC_DNS mode cannot set endpoints (the requested host is resolved).");
            }

            if (service.Addresses.Count > 0)
            {
                Error("addresses", ": DYNAMIC_DNS mode cannot set addresses.");
            }

            for (var i = 0; i < service.Hosts.Count; i++)
            {
                if (service.Hosts[i] is { Length: > 0 } host && !HostPattern.IsWildcard(host))
                {
                    Error($"hosts[{i}]", $" '{DiagnosticText.Cut(host)}': DYNAMIC_DNS mode requires wildcard hosts (for example '*.{DiagnosticText.Cut(host)}'); use DNS for a single host.");
                }
            }

            for (var i = 0; i < service.Ports.Count; i++)
            {
                var protocol = service.Ports[i]?.Protocol ?? ServiceProtocol.Unspecified;
                if (protocol is not (ServiceProtocol.Http or ServiceProtocol.Https or ServiceProtocol.Http2 or ServiceProtocol.Grpc or ServiceProtocol.Tls))
                {
                    Error($"ports[{i}].protocol", $" DYNAMIC_DNS mode supports only HTTP, HTTPS, TLS, GRPC and HTTP2 ports (protocol '{IstioNames.Format(protocol)}').");
                }
            }
        }

        /// <summary>
        /// Istio's rules for a <c>unix://</c> endpoint: an absolute path to a file (not ending in <c>/</c>) or a
        /// Linux abstract name (<c>@name</c>), short enough for the socket address, and no ports of its own.
        /// </summary>
        private void ValidateUnixSocket(ServiceEndpointOptions endpoint, int i)
        {
            var path = endpoint.Address![Model.EndpointDefinition.UnixPrefix.Length..];
            if (path.Length == 0)
            {
                Error($"endpoints[{i}].address", $" '{DiagnosticText.Cut(endpoint.Address)}': unix address must not be empty.");
            }
            else if (!path.StartsWith('@') && (!path.StartsWith('/') || path.EndsWith('/')))
            {
                Error($"endpoints[{i}].address", $" '{DiagnosticText.Cut(endpoint.Address)}': {DiagnosticText.Cut(path)} is not an absolute path to a file.");
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxUnixSocketPathBytes)
            {
                Error($"endpoints[{i}].address", FormattableString.Invariant($" '{DiagnosticText.Cut(endpoint.Address)}': a socket path has at most {MaxUnixSocketPathBytes} bytes (sun_path)."));
            }

            if (endpoint.Ports.Count != 0)
            {
                Error($"endpoints[{i}].ports", $" unix endpoint {DiagnosticText.Cut(endpoint.Address)} must not include ports.");
            }
        }

        private void ValidateEndpoint(int i, ServiceEndpointOptions? endpoint, HashSet<string> portNames, ServiceResolution resolution)
        {
            if (endpoint is null)
            {
                Error($"endpoints[{i}]", " must not be null.");
                return;
            }

            if (string.IsNullOrEmpty(endpoint.Address))
            {
                Error($"endpoints[{i}].address", ": Required value.");
            }
            else if (resolution != ServiceResolution.Static)
            {
                if (!IPAddress.TryParse(endpoint.Address, out _) && !(System.Text.Ascii.IsValid(endpoint.Address) && IsValidDomain(endpoint.Address)))
                {
                    Error($"endpoints[{i}].address", $" endpoint address '{DiagnosticText.Cut(endpoint.Address)}' is not a valid FQDN or an IP address.");
                }
            }
            else if (Model.EndpointDefinition.IsUnixSocket(endpoint.Address))
            {
                ValidateUnixSocket(endpoint, i);
            }
            else if (!IPAddress.TryParse(endpoint.Address, out _))
            {
                Error($"endpoints[{i}].address", $" endpoint address '{DiagnosticText.Cut(endpoint.Address)}' is not a valid IP address (resolution STATIC needs IP addresses).");
            }

            if (endpoint.Weight < 0)
            {
                Error($"endpoints[{i}].weight", $" must not be negative (was '{endpoint.Weight}').");
            }

            foreach (var (name, number) in endpoint.Ports)
            {
                if (Model.EndpointDefinition.IsUnixSocket(endpoint.Address))
                {
                    break; // reported as a whole: a socket endpoint has no ports
                }

                if (!portNames.Contains(name))
                {
                    Error($"endpoints[{i}].ports['{DiagnosticText.Cut(name)}']", $" endpoint port {DiagnosticText.Cut(name)} is not defined by the service entry (declared ports: {DiagnosticText.Cut(string.Join(", ", portNames), 500)}).");
                }

                if (number is < 1 or > MaxPort)
                {
                    Error($"endpoints[{i}].ports['{DiagnosticText.Cut(name)}']", $" port must be between 1-65535 (was '{number}').");
                }
            }
        }

        private void ValidateExportTo()
        {
            var hasStar = false;
            var hasTilde = false;
            for (var i = 0; i < service.ExportTo.Count; i++)
            {
                var value = service.ExportTo[i];
                hasStar |= value == "*";
                hasTilde |= value == "~";
                if (value is not ("*" or "~" or ".") && !IsDns1123Label(value))
                {
                    Error($"exportTo[{i}]", $" '{DiagnosticText.Cut(value)}' is not a namespace name, '.', '*' or '~'.");
                }
            }

            if ((hasStar || hasTilde) && service.ExportTo.Count > 1)
            {
                Error("exportTo", ": '*' and '~' cannot be combined with other values.");
            }
        }
    }

    internal static bool IsDns1123Label(string value)
    {
        if (value.Length is 0 or > 63 || value[0] == '-' || value[^1] == '-')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string FirstNonAsciiLabel(string host)
    {
        foreach (var label in host.Split('.'))
        {
            if (!System.Text.Ascii.IsValid(label))
            {
                return label;
            }
        }

        return host;
    }

    private static bool IsValidDomain(string host)
    {
        if (host.Length is 0 or > 255)
        {
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            // Istio accepts upper-case host names in practice (they are lower-cased for matching).
            if (!IsDns1123Label(label.ToLowerInvariant()))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <see cref="MeshOptions.PassthroughDestination"/> (Istio Sidecar <c>outboundTrafficPolicy.egressProxy</c>):
    /// only under ALLOW_ANY, not with a mesh-wide forward proxy, a host of a registered service (not a
    /// wildcard), one of its ports (required when it has several) and one of its subsets.
    /// </summary>
    private static void ValidatePassthroughDestination(MeshOptions options, List<MeshConfigurationDiagnostic> results)
    {
        if (options.PassthroughDestination is not { } destination)
        {
            return;
        }

        const string Path = "passthroughDestination";
        void Error(string message) => results.Add(MeshConfigurationDiagnostic.Error(message));
        if (options.OutboundTrafficPolicy != OutboundTrafficPolicy.AllowAny)
        {
            Error($"{Path} is valid only with outboundTrafficPolicy ALLOW_ANY: under {IstioNames.Format(options.OutboundTrafficPolicy)} requests for unknown hosts are blocked, not sent anywhere.");
        }

        if (options.EgressProxy is not null)
        {
            Error($"{Path} cannot be set with egressProxy: both say where requests for unknown hosts go; choose one.");
        }

        if (string.IsNullOrWhiteSpace(destination.Host))
        {
            Error($"{Path}.host is required: a host of a registered external service.");
            return;
        }

        if (destination.Host.Contains('*', StringComparison.Ordinal))
        {
            Error($"{Path}.host '{DiagnosticText.Cut(destination.Host)}' must be a host name, not a wildcard.");
            return;
        }

        ExternalServiceOptions? service = null;
        foreach (var candidate in options.ExternalServices)
        {
            if (candidate is not null && candidate.Hosts.Any(h => string.Equals(h, destination.Host, StringComparison.OrdinalIgnoreCase)))
            {
                service = candidate;
                break;
            }
        }

        if (service is null)
        {
            Error($"{Path}.host '{DiagnosticText.Cut(destination.Host)}' is not a host of a registered external service.");
            return;
        }

        if (destination.Port?.Number is { } number)
        {
            if (!service.Ports.Any(p => p is not null && p.Number == number))
            {
                Error(FormattableString.Invariant($"{Path}.port.number {number} is not a port of '{DiagnosticText.Cut(destination.Host)}' (its ports: {string.Join(", ", service.Ports.Where(p => p is not null).Select(p => p.Number))})."));
            }
        }
        else if (service.Ports.Count != 1)
        {
            Error($"{Path}.port is required: '{DiagnosticText.Cut(destination.Host)}' has {service.Ports.Count} ports.");
        }

        if (destination.Subset is { } subset && !RouteReferences.HasSubset(service, subset))
        {
            Error($"{Path}.subset '{DiagnosticText.Cut(subset)}' is not a subset of '{DiagnosticText.Cut(destination.Host)}'.");
        }
    }
}
