using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Maps an Istio <c>VirtualService</c>'s HTTP routes (istio.io/latest/docs/reference/config/networking/virtual-service/)
/// to <see cref="HttpRouteOptions"/>, after <see cref="VirtualServiceValidator"/> checked its structure.
/// The routes are then validated by the core rules as one probe service, with the findings put on this
/// object's fields; a VirtualService with an error is rejected whole, as Istio rejects it.
/// <see cref="IstioLoadBuilder"/> attaches the routes of a valid one to the ServiceEntries with its hosts.
/// </summary>
internal static class VirtualServiceMapper
{
    public static VirtualServicePolicy? Map(ObjectReader reader, YamlMappingNode root, IstioResource resource)
    {
        var errorsBefore = reader.ErrorCount;
        VirtualServiceValidator.Validate(reader, root);
        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            return null;
        }

        var hosts = reader.StringList(spec, "hosts", "spec.hosts");
        var gateways = reader.StringList(spec, "gateways", "spec.gateways");
        var forMesh = gateways.Count == 0 || gateways.Exists(static g => g.Value == "mesh");
        var routes = new List<HttpRouteOptions>();
        var indexes = new List<int>(); // routes[j] is spec.http[indexes[j]]
        var http = reader.Sequence(spec, "http", "spec.http");
        if (http is not null)
        {
            for (var i = 0; i < http.Children.Count; i++)
            {
                // A delegating route (warned "not supported yet" by the schema walk) is left out.
                // So is a route whose every match block is bound to gateways other than 'mesh' (the gateway's business).
                if (http.Children[i] is YamlMappingNode rule && YamlNodes.IsNull(YamlNodes.Get(rule, "delegate"))
                    && MapRoute(reader, rule, $"spec.http[{i}]", resource) is { } route)
                {
                    routes.Add(route);
                    indexes.Add(i);
                }
            }
        }

        // The core rules, on these routes alone (a probe service), reported on this object's fields.
        var probe = new ExternalServiceOptions { Name = resource.DisplayName };
        probe.Hosts.Add("probe.invalid");
        foreach (var route in routes)
        {
            probe.Http.Add(route);
        }

        var options = new MeshOptions();
        options.ExternalServices.Add(probe);
        foreach (var finding in MeshConfigurationValidator.Validate(options))
        {
            if (finding.FieldPath?.StartsWith("http[", StringComparison.Ordinal) != true)
            {
                continue; // about the probe itself
            }

            var field = Renumber(finding.FieldPath!, indexes, out var index);
            var node = http is not null && index < http.Children.Count ? http.Children[index] : spec;
            var path = "spec." + field;
            if (path is not null && reader.HasError(path))
            {
                continue; // already reported while reading
            }

            reader.Add(finding.Severity, node, path, (finding.Detail ?? finding.Message).Replace(finding.FieldPath ?? "\0", path, StringComparison.Ordinal));
        }

        if (reader.ErrorCount > errorsBefore)
        {
            return null;
        }

        return new VirtualServicePolicy(resource, reader, hosts, routes, forMesh, spec) { Indexes = indexes };
    }

    /// <summary>A core finding's <c>http[j]…</c> path with the probe's route index <c>j</c> turned into the document's (delegating routes were left out).</summary>
    private static string Renumber(string fieldPath, List<int> indexes, out int index)
    {
        var end = fieldPath.IndexOf(']', StringComparison.Ordinal);
        var j = int.Parse(fieldPath.AsSpan(5, end - 5), System.Globalization.CultureInfo.InvariantCulture);
        index = indexes[j];
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http[{index}]{fieldPath.AsSpan(end + 1)}");
    }

    private static HttpRouteOptions? MapRoute(ObjectReader reader, YamlMappingNode rule, string path, IstioResource resource)
    {
        var route = new HttpRouteOptions
        {
            Name = reader.String(rule, "name", path + ".name"),
            Source = resource.Location,
            Timeout = IstioFields.Duration(reader, rule, "timeout", path),
            Headers = MapHeaders(reader, rule, "headers", path + ".headers"),
        };

        if (reader.Sequence(rule, "match", path + ".match") is { } matches)
        {
            var gatewayOnly = 0;
            for (var j = 0; j < matches.Children.Count; j++)
            {
                if (matches.Children[j] is YamlMappingNode block && EgressGatewayMatches.IsForGatewaysOnly(reader, block, $"{path}.match[{j}]"))
                {
                    gatewayOnly++;
                }
                else if (matches.Children[j] is YamlMappingNode mapped)
                {
                    route.Match.Add(MapMatch(reader, mapped, $"{path}.match[{j}]"));
                }
                else
                {
                    reader.Error(matches.Children[j], $"{path}.match[{j}]", $"{path}.match[{j}]: Invalid value: expected an object, found {YamlNodes.Describe(matches.Children[j])}.");
                }
            }

            if (gatewayOnly > 0 && route.Match.Count == 0)
            {
                return null;
            }
        }

        if (reader.Sequence(rule, "route", path + ".route") is { } destinations)
        {
            for (var k = 0; k < destinations.Children.Count; k++)
            {
                if (destinations.Children[k] is YamlMappingNode entry)
                {
                    var entryPath = $"{path}.route[{k}]";
                    route.Route.Add(new HttpRouteDestinationOptions
                    {
                        Destination = MapDestination(reader, entry, entryPath + ".destination"),
                        Weight = reader.Int(entry, "weight", entryPath + ".weight"),
                        Headers = MapHeaders(reader, entry, "headers", entryPath + ".headers"),
                    });
                }
            }
        }

        if (reader.Mapping(rule, "rewrite", path + ".rewrite") is { } rewrite)
        {
            route.Rewrite = new HttpRewriteOptions
            {
                Uri = reader.String(rewrite, "uri", path + ".rewrite.uri"),
                Authority = reader.String(rewrite, "authority", path + ".rewrite.authority"),
            };
            if (reader.Mapping(rewrite, "uriRegexRewrite", path + ".rewrite.uriRegexRewrite") is { } regex)
            {
                route.Rewrite.UriRegexRewrite = new RegexRewriteOptions
                {
                    Match = reader.String(regex, "match", path + ".rewrite.uriRegexRewrite.match"),
                    Rewrite = reader.String(regex, "rewrite", path + ".rewrite.uriRegexRewrite.rewrite") ?? (YamlNodes.Get(regex, "rewrite") is null ? null : string.Empty),
                };
            }
        }

        if (reader.Mapping(rule, "redirect", path + ".redirect") is { } redirect)
        {
            route.Redirect = new HttpRedirectOptions
            {
                Uri = reader.String(redirect, "uri", path + ".redirect.uri"),
                PrefixRewrite = reader.String(redirect, "prefixRewrite", path + ".redirect.prefixRewrite"),
                Authority = reader.String(redirect, "authority", path + ".redirect.authority"),
                Port = reader.Int(redirect, "port", path + ".redirect.port"),
                DerivePort = DerivePort(reader, redirect, path + ".redirect.derivePort"),
                Scheme = reader.String(redirect, "scheme", path + ".redirect.scheme"),
                RedirectCode = reader.Int(redirect, "redirectCode", path + ".redirect.redirectCode") ?? 301,
            };
        }

        route.Fault = MapFault(reader, rule, path + ".fault");
        if (reader.Mapping(rule, "retries", path + ".retries") is { } retries)
        {
            route.Retries = HttpRetryMapper.Map(reader, retries, path + ".retries");
        }

        if (reader.Mapping(rule, "mirror", path + ".mirror") is not null)
        {
            route.Mirror = MapDestination(reader, rule, path + ".mirror", "mirror");
            route.MirrorPercentage = Percentage(reader, rule, "mirrorPercentage", path) ?? reader.Int(rule, "mirrorPercent", path + ".mirrorPercent");
        }

        if (reader.Sequence(rule, "mirrors", path + ".mirrors") is { } mirrors)
        {
            for (var m = 0; m < mirrors.Children.Count; m++)
            {
                if (mirrors.Children[m] is YamlMappingNode policy)
                {
                    var policyPath = $"{path}.mirrors[{m}]";
                    route.Mirrors.Add(new HttpMirrorPolicyOptions
                    {
                        Destination = MapDestination(reader, policy, policyPath + ".destination"),
                        Percentage = Percentage(reader, policy, "percentage", policyPath),
                    });
                }
            }
        }

        if (reader.Mapping(rule, "directResponse", path + ".directResponse") is { } direct)
        {
            route.DirectResponse = new HttpDirectResponseOptions { Status = reader.Int(direct, "status", path + ".directResponse.status") ?? 0 };
            if (reader.Mapping(direct, "body", path + ".directResponse.body") is { } body)
            {
                route.DirectResponse.BodyString = reader.String(body, "string", path + ".directResponse.body.string");
                if (reader.String(body, "bytes", path + ".directResponse.body.bytes") is { } bytes)
                {
                    try
                    {
                        route.DirectResponse.BodyBytes = Convert.FromBase64String(bytes);
                    }
                    catch (FormatException)
                    {
                        reader.Error(YamlNodes.Get(body, "bytes")!, path + ".directResponse.body.bytes", $"{path}.directResponse.body.bytes: Invalid value: not base64.");
                    }
                }
            }
        }

        return route;
    }

    private static HttpMatchOptions MapMatch(ObjectReader reader, YamlMappingNode block, string path)
    {
        var match = new HttpMatchOptions
        {
            Name = reader.String(block, "name", path + ".name"),
            Uri = MapStringMatch(reader, block, "uri", path + ".uri"),
            Scheme = MapStringMatch(reader, block, "scheme", path + ".scheme"),
            Method = MapStringMatch(reader, block, "method", path + ".method"),
            Authority = MapStringMatch(reader, block, "authority", path + ".authority"),
            Port = reader.Port(block, "port", path + ".port"),
        };

        if (YamlNodes.Get(block, "ignoreUriCase") is YamlScalarNode { Value: { } ignore })
        {
            match.IgnoreUriCase = string.Equals(ignore, "true", StringComparison.OrdinalIgnoreCase);
        }

        MapStringMatches(reader, block, "headers", path, match.Headers);
        MapStringMatches(reader, block, "withoutHeaders", path, match.WithoutHeaders);
        MapStringMatches(reader, block, "queryParams", path, match.QueryParams);
        foreach (var proxyOnly in (ReadOnlySpan<string>)["sourceLabels", "sourceNamespace"])
        {
            if (YamlNodes.Get(block, proxyOnly) is { } node && !YamlNodes.IsNull(node))
            {
                reader.NotApplicable(node, $"{path}.{proxyOnly}", "it selects workloads or gateways inside the cluster; this application matches the block as if the field were absent.");
            }
        }

        return match;
    }

    private static void MapStringMatches(ObjectReader reader, YamlMappingNode block, string key, string path, IDictionary<string, StringMatchOptions> into)
    {
        foreach (var (name, value) in reader.MapEntries(block, key, $"{path}.{key}"))
        {
            var valuePath = $"{path}.{key}.{DiagnosticText.Cut(name)}";
            into[name] = value is YamlMappingNode map
                ? ReadStringMatch(reader, map, valuePath)
                : YamlNodes.IsNull(value) ? new StringMatchOptions() : Invalid(reader, value, valuePath);
        }
    }

    /// <summary><c>redirect.derivePort</c>: <c>FROM_PROTOCOL_DEFAULT</c> or <c>FROM_REQUEST_PORT</c>.</summary>
    private static RedirectPortSelection? DerivePort(ObjectReader reader, YamlMappingNode redirect, string path)
    {
        if (reader.String(redirect, "derivePort", path) is not { } text)
        {
            return null;
        }

        if (RedirectPortNames.TryParse(text, out var value))
        {
            return value;
        }

        reader.Error(YamlNodes.Get(redirect, "derivePort")!, path, $"{path}: Unsupported value: '{DiagnosticText.Cut(text)}': supported values: {IstioSpellings.Of<RedirectPortSelection>(RedirectPortNames.Format)}.");
        return null;
    }

    private static StringMatchOptions Invalid(ObjectReader reader, YamlNode node, string path)
    {
        reader.Error(node, path, $"{path}: Invalid value: expected a StringMatch object (exact, prefix or regex), found {YamlNodes.Describe(node)}.");
        return new StringMatchOptions();
    }

    private static StringMatchOptions? MapStringMatch(ObjectReader reader, YamlMappingNode block, string key, string path) =>
        reader.Mapping(block, key, path) is { } map ? ReadStringMatch(reader, map, path) : null;

    private static StringMatchOptions ReadStringMatch(ObjectReader reader, YamlMappingNode map, string path)
    {
        var match = new StringMatchOptions
        {
            Exact = reader.String(map, "exact", path + ".exact"),
            Prefix = reader.String(map, "prefix", path + ".prefix"),
            Regex = reader.String(map, "regex", path + ".regex"),
        };

        // Istio reads `regex: "*"` as a presence match.
        if (match.Regex == "*")
        {
            match.Regex = null;
        }

        return match;
    }

    private static HttpFaultInjectionOptions? MapFault(ObjectReader reader, YamlMappingNode rule, string path)
    {
        if (reader.Mapping(rule, "fault", path) is not { } fault)
        {
            return null;
        }

        var options = new HttpFaultInjectionOptions();
        if (reader.Mapping(fault, "delay", path + ".delay") is { } delay)
        {
            options.Delay = new HttpFaultDelayOptions
            {
                FixedDelay = IstioFields.Duration(reader, delay, "fixedDelay", path + ".delay"),

                // The deprecated integer percent is read when percentage is absent, as Istio does.
                Percentage = Percentage(reader, delay, "percentage", path + ".delay") ?? reader.Int(delay, "percent", path + ".delay.percent"),
            };
        }

        if (reader.Mapping(fault, "abort", path + ".abort") is { } abort)
        {
            options.Abort = new HttpFaultAbortOptions
            {
                HttpStatus = reader.Int(abort, "httpStatus", path + ".abort.httpStatus"),
                GrpcStatus = reader.String(abort, "grpcStatus", path + ".abort.grpcStatus"),
                Percentage = Percentage(reader, abort, "percentage", path + ".abort"),
            };
        }

        return options;
    }

    /// <summary>Istio's <c>Percent</c> message: <c>{value: 12.5}</c>.</summary>
    private static double? Percentage(ObjectReader reader, YamlMappingNode parent, string key, string path) =>
        reader.Mapping(parent, key, $"{path}.{key}") is { } percent ? reader.Double(percent, "value", $"{path}.{key}.value") ?? 0 : null;

    internal static DestinationOptions? MapDestination(ObjectReader reader, YamlMappingNode parent, string path, string key = "destination")
    {
        if (reader.Mapping(parent, key, path) is not { } destination)
        {
            return null;
        }

        var options = new DestinationOptions
        {
            Host = reader.String(destination, "host", path + ".host"),
            Subset = reader.String(destination, "subset", path + ".subset"),
        };

        if (reader.Mapping(destination, "port", path + ".port") is { } port && reader.Port(port, "number", path + ".port.number") is { } number)
        {
            options.Port = new PortSelectorOptions { Number = number };
        }

        return options;
    }

    private static HeadersOptions? MapHeaders(ObjectReader reader, YamlMappingNode parent, string key, string path)
    {
        if (reader.Mapping(parent, key, path) is not { } headers)
        {
            return null;
        }

        return new HeadersOptions
        {
            Request = MapOperations(reader, headers, "request", path + ".request"),
            Response = MapOperations(reader, headers, "response", path + ".response"),
        };
    }

    private static HeaderOperationsOptions? MapOperations(ObjectReader reader, YamlMappingNode headers, string key, string path)
    {
        if (reader.Mapping(headers, key, path) is not { } map)
        {
            return null;
        }

        var operations = new HeaderOperationsOptions();
        foreach (var field in (ReadOnlySpan<string>)["set", "add"])
        {
            var target = field == "set" ? operations.Set : operations.Add;
            foreach (var (name, value) in reader.MapEntries(map, field, $"{path}.{field}"))
            {
                if (reader.Scalar(value, $"{path}.{field}.{DiagnosticText.Cut(name)}") is { } text)
                {
                    target[name] = text;
                }
            }
        }

        foreach (var (name, _) in reader.StringList(map, "remove", path + ".remove"))
        {
            operations.Remove.Add(name);
        }

        return operations;
    }
}

/// <summary>What a valid VirtualService asks of the services with its hosts.</summary>
internal sealed record VirtualServicePolicy(
    IstioResource Resource,
    ObjectReader Reader,
    List<(string Value, YamlNode Node)> Hosts,
    List<HttpRouteOptions> Routes,
    bool ForMesh,
    YamlMappingNode Spec)
{
    /// <summary>The <c>spec.http</c> index of each of <see cref="Routes"/> (delegating routes are left out).</summary>
    public List<int> Indexes { get; init; } = [];
}
