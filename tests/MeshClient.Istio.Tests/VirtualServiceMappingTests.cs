using MeshClient.Configuration;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Routing")]
public sealed class VirtualServiceMappingTests
{
    private static readonly string Entry = IstioYaml.ServiceEntry("api", "api.example.com", ports: IstioYaml.Https443, body: """
            endpoints:
            - {address: 10.0.0.1, labels: {version: v1}}
            - {address: 10.0.0.2, labels: {version: v2}}
            """) + IstioYaml.Next;

    private static readonly string Rule = IstioYaml.DestinationRule("api", "api.example.com", """
        trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
        subsets:
        - name: v1
          labels: {version: v1}
        - name: v2
          labels: {version: v2}
          trafficPolicy:
            loadBalancer: {simple: LEAST_REQUEST}
            outlierDetection: {consecutive5xxErrors: 2}
        """) + IstioYaml.Next;

    private static ExternalServiceOptions Load(string yaml, out IstioLoadResult result)
    {
        result = IstioConfigurationLoader.LoadYaml(yaml, "mesh.yaml");
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        return Assert.Single(result.Options.ExternalServices);
    }

    private static ExternalServiceOptions LoadCorpus(string name, out IstioLoadResult result)
    {
        result = IstioConfigurationLoader.Load([TestPaths.CorpusFile(name)]);
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        return Assert.Single(result.Options.ExternalServices);
    }

    [Fact]
    public void LoadYaml_MatchStatPrefix_WarnedAsNotApplicable()
    {
        var virtualService = IstioYaml.VirtualService("api", "api.example.com", """
            http:
            - match:
              - uri: {prefix: /v1/}
                statPrefix: orders
              route:
              - destination: {host: api.example.com}
            """);

        var service = Load(Entry + Rule + virtualService, out var result);

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(
            ("spec.http[0].match[0].statPrefix", "field spec.http[0].match[0].statPrefix is not applicable out of mesh and is ignored: it names Envoy's per-route statistics; MeshClient's metrics are per service and cluster, with Istio's labels."),
            (warning.FieldPath, warning.Message));
        Assert.Equal("/v1/", service.Http[0].Match[0].Uri!.Prefix);
    }

    [Fact]
    public void LoadYaml_RedirectPrefixRewriteAndDerivePort_Mapped_NoWarning()
    {
        var virtualService = IstioYaml.VirtualService("api", "api.example.com", """
            http:
            - match:
              - uri: {prefix: /v1/}
              redirect: {prefixRewrite: /v2/, scheme: http, derivePort: FROM_REQUEST_PORT}
            - match:
              - uri: {exact: /old}
              redirect: {uri: /new, derivePort: FROM_PROTOCOL_DEFAULT}
            """);

        var service = Load(Entry + Rule + virtualService, out var result);

        Assert.Empty(result.Diagnostics);
        var (first, second) = (service.Http[0].Redirect!, service.Http[1].Redirect!);
        Assert.Equal(("/v2/", "http", RedirectPortSelection.FromRequestPort), (first.PrefixRewrite, first.Scheme, first.DerivePort));
        Assert.Equal(("/new", null, RedirectPortSelection.FromProtocolDefault), (second.Uri, second.PrefixRewrite, second.DerivePort));
    }

    [Fact]
    public void LoadYaml_RedirectDerivePortInvalid_OrWithPort_OrPrefixRewriteWithUri_ErrorsAtTheirPaths()
    {
        var virtualService = IstioYaml.VirtualService("bad", "api.example.com", """
            http:
            - redirect: {uri: /x, derivePort: FROM_ELSEWHERE}
            - redirect: {port: 8443, derivePort: FROM_REQUEST_PORT}
            - redirect: {uri: /x, prefixRewrite: /y}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Entry + Rule + virtualService, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources.Single(r => r.Name == "bad").Status);
        var errors = result.Diagnostics.Where(d => d.IsError).ToArray();
        Assert.Equal(["spec.http[0].redirect.derivePort", "spec.http[1].redirect.derivePort", "spec.http[2].redirect.prefixRewrite"], errors.Select(e => e.FieldPath));
        Assert.Contains("spec.http[0].redirect.derivePort: Unsupported value: 'FROM_ELSEWHERE': supported values: FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT.", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("spec.http[1].redirect.derivePort: Invalid value: port and derivePort cannot both be set", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("spec.http[2].redirect.prefixRewrite: Invalid value: uri and prefixRewrite cannot both be set", errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadYaml_EntryRuleAndVirtualService_MapToRoutesAndSubsets()
    {
        var virtualService = IstioYaml.VirtualService("api", "api.example.com", """
            http:
            - name: canary
              match:
              - uri: {prefix: /v1/}
                ignoreUriCase: true
                method: {exact: GET}
                headers:
                  end-user: {exact: jason}
                  x-present: {}
                withoutHeaders:
                  x-debug: {regex: "on|yes"}
                queryParams:
                  beta: {exact: "1"}
                port: 443
              - authority: {prefix: api.}
                scheme: {exact: https}
              rewrite:
                uri: /v2/
                authority: internal.example.com
              headers:
                request:
                  set: {x-route: canary}
                  add: {x-trace: "1"}
                  remove: [x-secret]
                response:
                  remove: [server]
              timeout: 2.5s
              route:
              - destination: {host: api.example.com, subset: v2, port: {number: 443}}
                weight: 10
                headers:
                  request:
                    set: {x-subset: v2}
              - destination: {host: api.example.com, subset: v1}
                weight: 90
            - match:
              - uri: {regex: "/users/[0-9]+"}
              rewrite:
                uriRegexRewrite: {match: "^/users/(.*)$", rewrite: '/people/\1'}
              route:
              - destination: {host: api.example.com}
            - match:
              - uri: {exact: /old}
              redirect: {uri: /new, authority: new.example.com, port: 8443, scheme: https, redirectCode: 308}
            - directResponse:
                status: 503
                body: {string: maintenance}
            """);

        var service = Load(Entry + Rule + virtualService, out var result);

        Assert.Equal(["v1", "v2"], service.Subsets.Select(s => s.Name));
        Assert.Equal("v2", service.Subsets[1].Labels["version"]);
        Assert.Null(service.Subsets[0].TrafficPolicy?.OutlierDetection);
        Assert.Equal(LoadBalancerAlgorithm.LeastRequest, service.Subsets[1].TrafficPolicy!.LoadBalancer.Simple);
        Assert.Equal(2, service.Subsets[1].TrafficPolicy!.OutlierDetection!.Consecutive5xxErrors);

        Assert.Equal(4, service.Http.Count);
        var canary = service.Http[0];
        Assert.Equal("canary", canary.Name);
        Assert.Equal(2, canary.Match.Count);
        var block = canary.Match[0];
        Assert.Equal("/v1/", block.Uri!.Prefix);
        Assert.True(block.IgnoreUriCase);
        Assert.Equal("GET", block.Method!.Exact);
        Assert.Equal("jason", block.Headers["end-user"].Exact);
        Assert.Equal((null, null, null), (block.Headers["x-present"].Exact, block.Headers["x-present"].Prefix, block.Headers["x-present"].Regex));
        Assert.Equal("on|yes", block.WithoutHeaders["x-debug"].Regex);
        Assert.Equal("1", block.QueryParams["beta"].Exact);
        Assert.Equal(443, block.Port);
        Assert.Equal("api.", canary.Match[1].Authority!.Prefix);
        Assert.Equal("https", canary.Match[1].Scheme!.Exact);
        Assert.Equal(("/v2/", "internal.example.com"), (canary.Rewrite!.Uri, canary.Rewrite.Authority));
        Assert.Equal("canary", canary.Headers!.Request!.Set["x-route"]);
        Assert.Equal("1", canary.Headers.Request.Add["x-trace"]);
        Assert.Equal(["x-secret"], canary.Headers.Request.Remove);
        Assert.Equal(["server"], canary.Headers.Response!.Remove);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), canary.Timeout);
        Assert.Equal(
            [("api.example.com", "v2", 443, 10), ("api.example.com", "v1", 0, 90)],
            canary.Route.Select(r => (r.Destination!.Host, r.Destination.Subset, r.Destination.Port?.Number ?? 0, r.Weight ?? -1)));
        Assert.Equal("v2", canary.Route[0].Headers!.Request!.Set["x-subset"]);
        Assert.StartsWith("mesh.yaml", canary.Source, StringComparison.Ordinal); // findings name the VirtualService, not a probe

        var regex = service.Http[1];
        Assert.Equal("/users/[0-9]+", regex.Match[0].Uri!.Regex);
        Assert.Equal(("^/users/(.*)$", @"/people/\1"), (regex.Rewrite!.UriRegexRewrite!.Match, regex.Rewrite.UriRegexRewrite.Rewrite));
        Assert.Null(regex.Route[0].Weight);

        var redirect = service.Http[2].Redirect!;
        Assert.Equal(("/new", "new.example.com", 8443, "https", 308), (redirect.Uri, redirect.Authority, redirect.Port, redirect.Scheme, redirect.RedirectCode));
        Assert.Equal((503, "maintenance"), (service.Http[3].DirectResponse!.Status, service.Http[3].DirectResponse!.BodyString));

        Assert.DoesNotContain(result.Validate(), d => d.IsError);
    }

    [Fact]
    public void Corpus_WeightedRoute_75_25OverSubsetsV1AndV2()
    {
        var service = LoadCorpus("istio-istio__tests_testdata_config_rule-weighted-route.yaml", out _);

        Assert.Equal(["v1", "v2"], service.Subsets.Select(s => s.Name));
        Assert.Equal(["v1", "v2"], service.Subsets.Select(s => s.Labels["version"]));
        var route = Assert.Single(service.Http);
        Assert.Empty(route.Match);
        Assert.Equal(
            [("c-weighted.extsvc.com", "v1", 75), ("c-weighted.extsvc.com", "v2", 25)],
            route.Route.Select(r => (r.Destination!.Host!, r.Destination.Subset!, r.Weight!.Value)));
    }

    [Fact]
    public void Corpus_RegexRoute_HeaderRegexToV2ThenDefaultToV1()
    {
        var service = LoadCorpus("istio-istio__tests_testdata_config_rule-regex-route.yaml", out var result);

        Assert.Equal(2, service.Http.Count);
        var block = Assert.Single(service.Http[0].Match);
        Assert.Equal("b.*", block.Headers["foo"].Regex);
        Assert.Equal(("v2", 100), (service.Http[0].Route.Single().Destination!.Subset, service.Http[0].Route.Single().Weight));
        Assert.Empty(service.Http[1].Match);
        Assert.Equal(("v1", 100), (service.Http[1].Route.Single().Destination!.Subset, service.Http[1].Route.Single().Weight));

        // sourceLabels selects the calling workload: not applicable, and the block matches as if it were absent.
        Assert.Contains(result.Diagnostics, d => d.FieldPath == "spec.http[0].match[0].sourceLabels" && !d.IsError);
    }

    [Fact]
    public void Corpus_RedirectInjection_HeaderMatchRedirectsWithUriAndAuthority()
    {
        var service = LoadCorpus("istio-istio__tests_testdata_config_rule-redirect-injection.yaml", out _);

        var route = Assert.Single(service.Http);
        Assert.Equal("enabled", Assert.Single(route.Match).Headers["testredirect"].Exact);
        Assert.Empty(route.Route);
        Assert.Equal(("/new/path", "redirect2.test.istio.io", 301), (route.Redirect!.Uri, route.Redirect.Authority, route.Redirect.RedirectCode));
        Assert.Null(route.Redirect.Port);
        Assert.Null(route.Redirect.Scheme);
    }

    [Fact]
    public void Corpus_DefaultRouteAppendHeaders_AddsTheRequestHeader()
    {
        var service = LoadCorpus("istio-istio__tests_testdata_config_rule-default-route-append-headers.yaml", out _);

        var route = Assert.Single(service.Http);
        Assert.Empty(route.Match);
        Assert.Equal("appendh.test.istio.io", route.Route.Single().Destination!.Host);
        Assert.Equal("user-defined-value", route.Headers!.Request!.Add["istio-custom-header"]);
        Assert.Empty(route.Headers.Request.Set);
        Assert.Empty(route.Headers.Request.Remove);
    }

    [Fact]
    public void LoadYaml_TwoVirtualServicesForOneEntry_FirstWinsWithAWarning()
    {
        var two = IstioYaml.Stream(
            IstioYaml.VirtualService("first", "api.example.com", """
            http:
            - directResponse: {status: 201}
            """),
            IstioYaml.VirtualService("second", "api.example.com", """
            http:
            - directResponse: {status: 202}
            """));

        var service = Load(Entry + two, out var result);

        Assert.Equal(201, Assert.Single(service.Http).DirectResponse!.Status);
        var warning = Assert.Single(result.Diagnostics, d => d.FieldPath == "spec.hosts[0]");
        Assert.False(warning.IsError);
        Assert.Equal("second", warning.Resource!.Name);
        Assert.Contains("ServiceEntry api already takes its routes from VirtualService first", warning.Message, StringComparison.Ordinal);
        Assert.Contains("the first one wins.", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadYaml_GatewayOnlyVirtualService_NotUsed()
    {
        var gatewayOnly = IstioYaml.VirtualService("edge", "api.example.com", """
            gateways: [istio-system/egress]
            http:
            - directResponse: {status: 418}
            """);

        var service = Load(Entry + gatewayOnly, out var result);

        Assert.Empty(service.Http);
        Assert.Contains(result.Diagnostics, d => !d.IsError && d.Message.Contains("bound only to gateways, not to 'mesh'", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadYaml_MeshAmongGateways_Used()
    {
        var both = IstioYaml.VirtualService("edge", "api.example.com", """
            gateways: [istio-system/egress, mesh]
            http:
            - directResponse: {status: 418}
            """);

        var service = Load(Entry + both, out _);

        Assert.Equal(418, Assert.Single(service.Http).DirectResponse!.Status);
    }

    [Fact]
    public void LoadYaml_InvalidVirtualService_RejectedWholeWithFieldPaths()
    {
        var invalid = IstioYaml.VirtualService("bad", "api.example.com", """
            http:
            - match:
              - uri: {regex: "(a)\\1"}
              route:
              - destination: {host: api.example.com}
                weight: -1
              - destination: {host: api.example.com, subset: v1}
                weight: 10
              headers:
                request:
                  set: {x-a: "a\r\nb"}
            - redirect: {uri: /x, redirectCode: 200}
            - directResponse: {status: 99}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Entry + Rule + invalid, "mesh.yaml");

        var service = Assert.Single(result.Options.ExternalServices);
        Assert.Empty(service.Http);
        Assert.Equal(IstioResourceStatus.Rejected, result.Resources.Single(r => r.Name == "bad").Status);
        var errors = result.Diagnostics.Where(d => d.IsError).ToArray();
        Assert.Equal(
            [
                "spec.http[0].route[0].weight", // read with the YAML
                "spec.http[0].match[0].uri.regex", // then the core route rules
                "spec.http[0].headers.request.set.x-a",
                "spec.http[1].redirect.redirectCode",
                "spec.http[2].directResponse.status",
            ],
            errors.Select(e => e.FieldPath));
        Assert.All(errors, e => Assert.Equal("bad", e.Resource!.Name));
        Assert.Contains("spec.http[1].redirect.redirectCode: Invalid value: 200: a redirect code must be 301, 302, 303, 307 or 308.", errors[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadYaml_DestinationToUnknownSubset_WarnedOnTheVirtualService()
    {
        var virtualService = IstioYaml.VirtualService("api", "api.example.com", """
            http:
            - route:
              - destination: {host: api.example.com, subset: v9}
            """);

        var service = Load(Entry + Rule + virtualService, out var result);

        Assert.Single(service.Http);
        var warning = Assert.Single(result.Diagnostics, d => d.FieldPath == "spec.http[0].route[0].destination.subset");
        Assert.False(warning.IsError);
        Assert.Contains("'v9' is not a subset of external service", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadYaml_DuplicateSubsetName_Rejected()
    {
        var duplicate = IstioYaml.DestinationRule("api", "api.example.com", """
            subsets:
            - {name: v1, labels: {version: v1}}
            - {name: v1, labels: {version: v2}}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Entry + duplicate, "mesh.yaml");

        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("spec.subsets[1].name", error.FieldPath);
        Assert.Contains("Duplicate value: 'v1'", error.Message, StringComparison.Ordinal);
    }
}
