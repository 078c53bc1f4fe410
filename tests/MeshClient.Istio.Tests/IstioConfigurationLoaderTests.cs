using MeshClient.Configuration;

namespace MeshClient.Istio.Tests;

public sealed partial class IstioConfigurationLoaderTests
{
    private const string FullServiceEntry = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: api
          namespace: payments
        spec:
          hosts: [api.example.com, api2.example.com]
          addresses: [10.1.0.0/16]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - number: 80
            name: http
            protocol: http
            targetPort: 8080
          - number: 443
            name: https
            protocol: HTTPS
          endpoints:
          - address: 10.0.0.1
            ports: {http: 9080}
            labels: {version: v1}
            locality: eu/west-1/a
            weight: 3
            network: net1
            serviceAccount: api-sa
          - address: 10.0.0.2
          exportTo: ["."]
          subjectAltNames: [spiffe://cluster.local/ns/payments/sa/api]
        """;

    [Fact]
    public void LoadYaml_FullServiceEntry_MapsEveryField()
    {
        var result = IstioConfigurationLoader.LoadYaml(FullServiceEntry, "mesh/api.yaml");

        Assert.Empty(result.Validate());
        var service = Assert.Single(result.Options.ExternalServices);
        Assert.Equal("payments/api", service.Name);
        Assert.Equal("mesh/api.yaml:1:1", service.Source);
        Assert.Equal(["api.example.com", "api2.example.com"], service.Hosts);
        Assert.Equal(["10.1.0.0/16"], service.Addresses);
        Assert.Equal(ServiceLocation.MeshInternal, service.Location);
        Assert.Equal(ServiceResolution.Static, service.Resolution);
        Assert.Collection(
            service.Ports,
            p => Assert.Equal((80, "http", ServiceProtocol.Http, (int?)8080), (p.Number, p.Name, p.Protocol, p.TargetPort)),
            p => Assert.Equal((443, "https", ServiceProtocol.Https, (int?)null), (p.Number, p.Name, p.Protocol, p.TargetPort)));
        var endpoint = service.Endpoints[0];
        Assert.Equal(("10.0.0.1", 3, "eu/west-1/a", "net1", "api-sa"), (endpoint.Address, endpoint.Weight, endpoint.Locality, endpoint.Network, endpoint.ServiceAccount));
        Assert.Equal(9080, endpoint.Ports["http"]);
        Assert.Equal("v1", endpoint.Labels["version"]);
        Assert.Equal("10.0.0.2", service.Endpoints[1].Address);
        Assert.Equal(["."], service.ExportTo);
        Assert.Equal(["spiffe://cluster.local/ns/payments/sa/api"], service.SubjectAltNames);
        Assert.Equal(IstioResourceStatus.Mapped, Assert.Single(result.Resources).Status);
    }

    [Fact]
    public void LoadYaml_ServiceEntryWithoutSpec_ErrorNamesLocationKindAndField()
    {
        var result = IstioConfigurationLoader.LoadYaml("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: no-spec\n", "se.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("Error [se.yaml:1:1] ServiceEntry no-spec: spec: Required value: a ServiceEntry needs a spec with at least one host.", error.ToString());
        Assert.Equal("spec", error.FieldPath);
        Assert.Equal(IstioResourceStatus.Rejected, error.Resource!.Status);
        Assert.Empty(result.Options.ExternalServices);
        Assert.Equal("se.yaml:1:1: ServiceEntry no-spec: spec: Required value: a ServiceEntry needs a spec with at least one host.", Assert.Single(result.Options.SourceDiagnostics).Message);
    }

    [Fact]
    public void LoadYaml_ServiceEntryWithoutHosts_ReportsSpecHostsAndEveryOtherError()
    {
        const string Yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: nohosts, namespace: ns}
            spec:
              ports: [{number: 99999, name: http}]
            """;

        var findings = IstioConfigurationLoader.LoadYaml(Yaml, "se.yaml").Validate().Select(f => f.ToString()).ToList();

        Assert.Equal(
            [
                "Error [se.yaml:5:3] ServiceEntry ns/nohosts: spec.hosts: Required value: a ServiceEntry needs at least one host.",
                "Error [se.yaml:1:1] ServiceEntry ns/nohosts: ports[0].number port must be between 1-65535 (was '99999').",
            ],
            findings);
    }

    [Fact]
    public void LoadYaml_UnknownSpecField_ErrorNamesTheFieldPath()
    {
        const string Yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: typo}
            spec:
              hosts: [a.example.com]
              resolutoin: STATIC
              ports: [{number: 80, name: http, protocl: HTTP}]
            """;

        var messages = IstioConfigurationLoader.LoadYaml(Yaml, "se.yaml").Diagnostics.Select(d => d.ToString()).ToList();

        Assert.Equal(
            [
                "Error [se.yaml:6:3] ServiceEntry typo: spec.resolutoin: unknown field \"resolutoin\": it is not part of the Istio ServiceEntry API.",
                "Error [se.yaml:7:36] ServiceEntry typo: spec.ports[0].protocl: unknown field \"protocl\": it is not part of the Istio ServiceEntry API.",
            ],
            messages);
    }

    [Fact]
    public void LoadYaml_ProtoFieldName_ErrorSuggestsTheKubernetesSpelling()
    {
        const string Yaml = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec:\n  hosts: [a.example.com]\n  subject_alt_names: [x]\n";

        var error = Assert.Single(IstioConfigurationLoader.LoadYaml(Yaml, "se.yaml").Diagnostics);

        Assert.Equal("spec.subject_alt_names: unknown field \"subject_alt_names\": it is not part of the Istio ServiceEntry API (Kubernetes YAML spells it \"subjectAltNames\").", error.Message);
    }

    [Fact]
    public void LoadYaml_DnsRoundRobinWithTwoEndpoints_RejectedWithIstiosWords()
    {
        const string Yaml = "apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: dns}\nspec:\n  hosts: [a.example.com]\n  ports: [{number: 443, name: https, protocol: TLS}]\n  resolution: DNS_ROUND_ROBIN\n  endpoints: [{address: a.example.net}, {address: b.example.net}]\n";

        var finding = Assert.Single(IstioConfigurationLoader.LoadYaml(Yaml, "se.yaml").Validate());

        Assert.Equal("Error [se.yaml:1:1] ServiceEntry dns: endpoints: DNS_ROUND_ROBIN mode cannot have multiple endpoints (has 2).", finding.ToString());
        Assert.Equal("spec.endpoints", finding.FieldPath);
    }

    [Fact]
    public void LoadYaml_DnsResolutions_MappedToTheService()
    {
        const string Yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: dns}
            spec:
              hosts: [api.example.com]
              ports: [{number: 443, name: https, protocol: TLS}]
              resolution: DNS
              endpoints: [{address: lb1.example.net, weight: 3}, {address: 10.0.0.1}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: dynamic}
            spec:
              hosts: ["*.svc.example.com"]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DYNAMIC_DNS
            """;

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "se.yaml");
        var options = new MeshClient.Configuration.MeshOptions();
        result.ApplyTo(options);

        Assert.Empty(result.Validate());
        Assert.Equal([MeshClient.Configuration.ServiceResolution.Dns, MeshClient.Configuration.ServiceResolution.DynamicDns], options.ExternalServices.Select(s => s.Resolution));
        Assert.Equal(["lb1.example.net", "10.0.0.1"], options.ExternalServices[0].Endpoints.Select(e => e.Address));
        Assert.Equal(3, options.ExternalServices[0].Endpoints[0].Weight);
    }

    [Fact]
    public void LoadYaml_BadEnumValues_ErrorsListTheIstioValues()
    {
        const string Yaml = "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata: {name: e}\nspec:\n  hosts: [a.example.com]\n  location: OUTSIDE\n  resolution: MAGIC\n  ports: [{number: x, name: http, protocol: QUIC}]\n";

        var messages = IstioConfigurationLoader.LoadYaml(Yaml, "se.yaml").Diagnostics.Select(d => d.Message).ToList();

        Assert.Equal(
            [
                "spec.ports[0].number: Invalid value: 'x' is not an integer.",
                "spec.ports[0].protocol: Unsupported value: 'QUIC' is not an Istio protocol (HTTP, HTTPS, GRPC, GRPC-Web, HTTP2, MONGO, REDIS, MYSQL, TCP, TLS, UDP, HTTP_PROXY).",
                "spec.location: Unsupported value: 'OUTSIDE': supported values: MESH_EXTERNAL, MESH_INTERNAL.",
                "spec.resolution: Unsupported value: 'MAGIC': supported values: NONE, STATIC, DNS, DNS_ROUND_ROBIN, DYNAMIC_DNS.",
            ],
            messages);
    }

    [Fact]
    public void LoadYaml_WorkloadSelector_WarnsNotApplicable()
    {
        const string Yaml = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ws}\nspec:\n  hosts: [a.example.com]\n  ports: [{number: 80, name: http}]\n  workloadSelector:\n    labels: {app: a}\n";

        var warning = Assert.Single(IstioConfigurationLoader.LoadYaml(Yaml, "se.yaml").Validate());

        Assert.Equal("Warning [se.yaml:7:3] ServiceEntry ws: field spec.workloadSelector is not applicable out of mesh and is ignored: it selects pods or WorkloadEntries inside the cluster as endpoints; declare endpoints instead.", warning.ToString());
    }

    [Fact]
    public void LoadYaml_YamlSyntaxError_ErrorWithLineAndColumnAndNoObjects()
    {
        var result = IstioConfigurationLoader.LoadYaml("apiVersion: v1\nkind: [unclosed\n", "bad.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.True(error.IsError);
        Assert.StartsWith("bad.yaml:", error.Location);
        Assert.StartsWith("YAML syntax error: ", error.Message);
        Assert.Null(error.Resource);
        Assert.Empty(result.Resources);
    }

    [Fact]
    public void LoadYaml_DocumentThatIsNotAnObject_Rejected()
    {
        var result = IstioConfigurationLoader.LoadYaml("- just\n- a list\n", "list.yaml");

        Assert.Equal("Error [list.yaml:1:1] Object (unnamed): document 0: Invalid value: expected a Kubernetes object (apiVersion, kind, metadata, spec), found a list.", Assert.Single(result.Diagnostics).ToString());
        Assert.Equal(IstioResourceStatus.Rejected, Assert.Single(result.Resources).Status);
    }

    [Fact]
    public void LoadYaml_ListKind_ReadsEveryItem()
    {
        const string Yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: a}
              spec: {hosts: [a.example.com], ports: [{number: 80, name: http}]}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: c}
            """;

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "list.yaml");

        Assert.Empty(result.Validate());
        Assert.Collection(
            result.Resources,
            r => Assert.Equal(("ServiceEntry", 0, (int?)0, IstioResourceStatus.Mapped, "list.yaml:4:3"), (r.Kind, r.DocumentIndex, r.ItemIndex, r.Status, r.Location)),
            r => Assert.Equal(("ConfigMap", 0, (int?)1, IstioResourceStatus.Ignored), (r.Kind, r.DocumentIndex, r.ItemIndex, r.Status)));
        Assert.Equal(["a.example.com"], Assert.Single(result.Options.ExternalServices).Hosts);
    }

    [Fact]
    public void LoadYaml_OtherKinds_IgnoredWithReasonAndNoDiagnostics()
    {
        const string Yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: ratings}
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: gw}
            spec: {selector: {istio: egressgateway}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: vm}
            spec: {address: 1.2.3.4}
            """;

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "k8s.yaml");

        Assert.Empty(result.Validate());
        Assert.All(result.Resources, r => Assert.Equal(IstioResourceStatus.Ignored, r.Status));
        Assert.Equal(["Service", "Gateway", "WorkloadEntry"], result.Resources.Select(r => r.Kind));
        Assert.Equal("Gateway (networking.istio.io/v1) is not used by MeshClient.", result.Resources[1].IgnoredReason);
    }

    [Fact]
    public void LoadYaml_UnknownIstioVersionOrMissingKind_Errors()
    {
        const string Yaml = "apiVersion: networking.istio.io/v2\nkind: ServiceEntry\nmetadata: {name: v2}\nspec: {hosts: [a.example.com]}\n---\nmetadata: {name: nokind}\n";

        var messages = IstioConfigurationLoader.LoadYaml(Yaml, "v.yaml").Diagnostics.Select(d => d.ToString()).ToList();

        Assert.Equal(
            [
                "Error [v.yaml:1:13] ServiceEntry v2: apiVersion: Unsupported value: 'networking.istio.io/v2': supported versions are networking.istio.io/v1, v1beta1 and v1alpha3.",
                "Error [v.yaml:6:1] Object nokind: apiVersion: Required value: document 1 is not a Kubernetes object: apiVersion and kind are required.",
            ],
            messages);
    }

    [Fact]
    public void LoadYaml_MissingMetadataName_Error()
    {
        var result = IstioConfigurationLoader.LoadYaml("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nspec: {hosts: [a.example.com], ports: [{number: 80, name: http}]}\n", "n.yaml");

        Assert.Equal("Error [n.yaml:1:1] ServiceEntry (unnamed): metadata.name: Required value: every Istio object needs a name.", Assert.Single(result.Diagnostics).ToString());
        Assert.Equal("a.example.com", Assert.Single(result.Options.ExternalServices).Hosts[0]);
    }

    [Fact]
    public void LoadYaml_SidecarRegistryOnly_SetsTheOutboundTrafficPolicy()
    {
        const string Yaml = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: istio-system}\nspec:\n  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n";

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "sidecar.yaml");

        Assert.Empty(result.Validate());
        Assert.Equal(OutboundTrafficPolicy.RegistryOnly, result.OutboundTrafficPolicy);
        Assert.Equal(OutboundTrafficPolicy.RegistryOnly, result.Options.OutboundTrafficPolicy);
    }

    [Fact]
    public void LoadYaml_SidecarsWithConflictingModes_FirstWinsWithWarning()
    {
        const string Yaml = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a}\nspec: {outboundTrafficPolicy: {mode: ALLOW_ANY}}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: b}\nspec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}\n";

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "sidecar.yaml");

        Assert.Equal(OutboundTrafficPolicy.AllowAny, result.OutboundTrafficPolicy);
        Assert.Equal(
            [
                "Warning [sidecar.yaml:9:38] Sidecar b: field spec.outboundTrafficPolicy.mode REGISTRY_ONLY conflicts with an earlier Sidecar that sets ALLOW_ANY; the first one wins.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_SidecarUnknownMode_Error()
    {
        var result = IstioConfigurationLoader.LoadYaml("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s}\nspec: {outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}}\n", "s.yaml");

        Assert.Equal("spec.outboundTrafficPolicy.mode: Unsupported value: 'ALLOW_ANY_DYNAMIC_DNS': supported values: ALLOW_ANY, REGISTRY_ONLY.", Assert.Single(result.Diagnostics).Message);
        Assert.Null(result.OutboundTrafficPolicy);
    }

    private static readonly string StaticService = IstioYaml.ServiceEntry("api", "api.example.com", endpoints: ["10.0.0.1"]);

    [Fact]
    public void LoadYaml_DestinationRuleRoundRobinBeforeItsServiceEntry_AppliedToTheService()
    {
        const string Rule = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api}\nspec:\n  host: API.example.com\n  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n---\n";

        var result = IstioConfigurationLoader.LoadYaml(Rule + StaticService, "mesh.yaml");

        Assert.Empty(result.Validate());
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer.Simple);
    }

    [Theory]
    [InlineData("LEAST_REQUEST", LoadBalancerAlgorithm.LeastRequest)]
    [InlineData("LEAST_CONN", LoadBalancerAlgorithm.LeastRequest)]
    [InlineData("RANDOM", LoadBalancerAlgorithm.Random)]
    [InlineData("ROUND_ROBIN", LoadBalancerAlgorithm.RoundRobin)]
    [InlineData("UNSPECIFIED", LoadBalancerAlgorithm.Unspecified)]
    [Trait("Area", "LoadBalancing")]
    public void LoadYaml_DestinationRuleSimple_AppliedWithoutWarnings(string simple, LoadBalancerAlgorithm expected)
    {
        var rule = $"---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: api}}\nspec:\n  host: api.example.com\n  trafficPolicy:\n    loadBalancer:\n      simple: {simple}\n";

        var result = IstioConfigurationLoader.LoadYaml(StaticService + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        Assert.Equal(expected, Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer.Simple);
    }

    [Fact]
    [Trait("Area", "LoadBalancing")]
    public void LoadYaml_DestinationRulePeakEwma_AppliedAndMarkedAsAnExtension()
    {
        const string Rule = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api}\nspec:\n  host: api.example.com\n  trafficPolicy:\n    loadBalancer:\n      simple: PEAK_EWMA\n";

        var result = IstioConfigurationLoader.LoadYaml(StaticService + Rule, "mesh.yaml");

        Assert.Equal(
            "Warning [mesh.yaml:17:15] DestinationRule api: field spec.trafficPolicy.loadBalancer.simple PEAK_EWMA is a MeshClient extension: Istio itself rejects this value, so keep this DestinationRule out of a real mesh.",
            Assert.Single(result.Validate()).ToString());
        Assert.Equal(LoadBalancerAlgorithm.PeakEwma, Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer.Simple);
    }

    [Fact]
    [Trait("Area", "LoadBalancing")]
    public void LoadYaml_DestinationRuleConsistentHash_MappedToTheOptions()
    {
        var rule = IstioYaml.Next + IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  httpHeaderName: x-user
                  maglev: {tableSize: 251}
            """);

        var result = IstioConfigurationLoader.LoadYaml(StaticService + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var hash = Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer.ConsistentHash;
        Assert.NotNull(hash);
        Assert.Equal("x-user", hash.HttpHeaderName);
        Assert.Equal(251, hash.Maglev?.TableSize);
        Assert.Null(hash.RingHash);
    }

    [Fact]
    [Trait("Area", "LoadBalancing")]
    public void LoadYaml_DestinationRuleConsistentHashCookieAndRing_MappedWithCoreFindings()
    {
        var rule = IstioYaml.Next + IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  httpCookie: {name: session, path: /, ttl: 1.5s}
                  ringHash: {minimumRingSize: 0}
            """);

        var result = IstioConfigurationLoader.LoadYaml(StaticService + rule, "mesh.yaml");

        var hash = Assert.Single(result.Options.ExternalServices).TrafficPolicy.LoadBalancer.ConsistentHash!;
        Assert.Equal("session", hash.HttpCookie?.Name);
        Assert.Equal("/", hash.HttpCookie?.Path);
        Assert.Equal(TimeSpan.FromSeconds(1.5), hash.HttpCookie?.Ttl);
        Assert.Equal(
            ["trafficPolicy.loadBalancer.consistentHash.ringHash.minimumRingSize must be between 1 and 8388608 (was 0)."],
            result.Validate().Select(d => d.Message[d.Message.IndexOf("trafficPolicy", StringComparison.Ordinal)..]).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    [Trait("Area", "LoadBalancing")]
    public void LoadYaml_ConsistentHashCookieWithTtl_NoFinding_TheClusterGeneratesTheCookie()
    {
        var rule = IstioYaml.Next + IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  httpCookie: {name: affinity, path: /api, ttl: 1h}
                  maglev: {tableSize: 251}
            """);

        var result = IstioConfigurationLoader.LoadYaml(StaticService + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var settings = Assert.Single(MeshClient.Model.MeshSnapshot.Build(result.Options).Clusters).LoadBalancing;
        Assert.Equal(new MeshClient.Model.HashKey(MeshClient.Model.HashKeySource.Cookie, "affinity", "/api", TimeSpan.FromHours(1)), settings.Hash);
        Assert.True(settings.Hash!.GeneratesCookie);
    }

    [Fact]
    public void LoadYaml_ConsistentHashCookieAttributes_MappedInOrder_BadOnesRejectedAtTheirPath()
    {
        var rule = IstioYaml.Next + IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  httpCookie:
                    name: affinity
                    ttl: 1h
                    attributes:
                    - {name: SameSite, value: Lax}
                    - {name: Secure}
            """);

        var result = IstioConfigurationLoader.LoadYaml(StaticService + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("attributes", StringComparison.Ordinal));
        var settings = Assert.Single(MeshClient.Model.MeshSnapshot.Build(result.Options).Clusters).LoadBalancing;
        Assert.Equal("; SameSite=Lax; Secure", settings.Hash!.CookieAttributes);

        var bad = IstioConfigurationLoader.LoadYaml(StaticService + rule.Replace("{name: Secure}", "{value: x;y}", StringComparison.Ordinal), "mesh.yaml");
        var errors = bad.Validate().Where(d => d.IsError).Select(d => d.Message).ToArray();
        Assert.Contains(errors, m => m.Contains("httpCookie.attributes[1].name is required", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("httpCookie.attributes[1].value must not contain ';'", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadYaml_DestinationRuleProblems_ErrorsAndWarningsNameEachField()
    {
        const string Yaml = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: dr}
            spec:
              trafficPolicy:
                loadBalancer: {simple: FASTEST}
                outlierDetection: {consecutive5xxErrors: 1, bogus: 2}
              subsets: [{labels: {v: "1"}}]
            """;

        var messages = IstioConfigurationLoader.LoadYaml(Yaml, "dr.yaml").Diagnostics.Select(d => d.Message).ToList();

        Assert.Equal(
            [
                "spec.trafficPolicy.outlierDetection.bogus: unknown field \"bogus\": it is not part of the Istio DestinationRule API.",
                "spec.host: Required value: a DestinationRule needs the host of the service it applies to.",
                "spec.subsets[0].name: Required value: every subset needs a name.",
                "spec.trafficPolicy.loadBalancer.simple: Unsupported value: 'FASTEST': supported values: UNSPECIFIED, ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH, PEAK_EWMA.",
            ],
            messages);
    }

    [Fact]
    public void LoadYaml_VirtualServiceStructuralErrors_EachReportedWithItsPath()
    {
        const string Yaml = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs}
            spec:
              hosts: ["*"]
              http:
              - route:
                - destination: {subset: v1}
                  weight: 0
                - destination: {host: b.example.com}
                  weight: 0
              - route:
                - destination: {host: c.example.com}
                  weight: -1
              - name: nothing
            """;

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "vs.yaml");
        var errors = result.Diagnostics.Where(d => d.IsError).Select(d => d.Message).ToList();

        Assert.Equal(
            [
                "spec.hosts[0]: Invalid value: wildcard host * is not allowed for virtual services bound to the mesh gateway.",
                "spec.http[0].route[0].destination.host: Required value: every route destination needs a host.",
                "spec.http[0].route: Invalid value: total destination weight is 0; with more than one destination at least one weight must be positive.",
                "spec.http[1].route[0].weight: Invalid value: -1: weight must not be negative.",
                "spec.http[2]: Invalid value: HTTP route, redirect, direct response or delegate is required.",
            ],
            errors);
        Assert.Equal(IstioResourceStatus.Rejected, Assert.Single(result.Resources).Status); // Istio rejects it whole
        Assert.DoesNotContain(result.Diagnostics, d => !d.IsError); // routes are mapped now: nothing "not supported yet"
        Assert.Empty(result.Options.ExternalServices);
    }

    [Fact]
    public void LoadYaml_UnknownTopLevelKey_Warning()
    {
        var result = IstioConfigurationLoader.LoadYaml("_err: expected\n" + StaticService, "t.yaml");

        Assert.Equal("Warning [t.yaml:1:1] ServiceEntry api: unknown top-level field \"_err\" is not part of a Kubernetes object and is ignored.", Assert.Single(result.Validate()).ToString());
    }

    [Fact]
    public void Load_MissingFileAndEmptyFolder_ErrorsNotExceptions()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "missing.yaml");

        var result = IstioConfigurationLoader.Load([missing, folder.Path, " "]);

        Assert.Equal(
            [
                $"Error [{missing}] no such file or folder.",
                $"Error [{folder.Path}] the folder contains no *.yaml or *.yml files.",
                "Error [(arguments)] a path is empty.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void Load_Folder_ReadsYamlAndYmlInNameOrderNotRecursivelyAndEachFileOnce()
    {
        using var folder = new TempFolder();
        var b = folder.Write("b.yml", StaticService.Replace("api.example.com", "b.example.com").Replace("name: api", "name: b"));
        folder.Write("a.yaml", StaticService);
        folder.Write("notes.txt", "not yaml");
        Directory.CreateDirectory(Path.Combine(folder.Path, "sub"));
        File.WriteAllText(Path.Combine(folder.Path, "sub", "c.yaml"), StaticService.Replace("api.example.com", "c.example.com"));

        var result = IstioConfigurationLoader.Load([folder.Path, b]);

        Assert.Equal([Path.Join(folder.Path, "a.yaml"), Path.Join(folder.Path, "b.yml")], result.Files);
        Assert.Equal(["api.example.com", "b.example.com"], result.Options.ExternalServices.Select(s => s.Hosts[0]));
        Assert.Equal($"{Path.Join(folder.Path, "a.yaml")}:1:1", result.Options.ExternalServices[0].Source);
    }

    [Fact]
    public void Load_NullArgument_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => IstioConfigurationLoader.Load(null!));
        Assert.Throws<ArgumentNullException>(() => IstioConfigurationLoader.LoadYaml(null!, "x"));
        Assert.Throws<ArgumentNullException>(() => IstioConfigurationLoader.LoadYaml("x", null!));
    }

    [Fact]
    public void ApplyTo_ExistingOptions_AddsServicesDiagnosticsAndSidecarMode()
    {
        const string Sidecar = "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s}\nspec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}, egress: [{hosts: [\"./*\"]}]}\n";
        var target = new MeshOptions();
        target.ExternalServices.Add(new ExternalServiceOptions { Name = "code" });

        IstioConfigurationLoader.LoadYaml(StaticService + Sidecar, "m.yaml").ApplyTo(target);

        Assert.Equal(["code", "api"], target.ExternalServices.Select(s => s.Name));
        Assert.Equal(OutboundTrafficPolicy.RegistryOnly, target.OutboundTrafficPolicy);
        Assert.Equal("m.yaml:13:54: Sidecar s: field spec.egress is not supported yet and is ignored.", Assert.Single(target.SourceDiagnostics).Message);
        Assert.Throws<ArgumentNullException>(() => IstioConfigurationLoader.LoadYaml(StaticService, "m.yaml").ApplyTo(null!));
    }

    [Fact]
    public void LoadYaml_AliasBomb_RejectedWithoutExpandingIt()
    {
        var yaml = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        var result = IstioConfigurationLoader.LoadYaml(yaml.ToString(), "bomb.yaml");

        Assert.Equal("Error [bomb.yaml:1:1] document 0 takes the file over 4000000 YAML nodes (anchors and aliases count each time they are used); the file is not read.", Assert.Single(result.Diagnostics).ToString());
        Assert.Empty(result.Resources);
    }

    [Fact]
    public void LoadYaml_RandomBytes_NeverThrows()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            var text = i % 2 == 0 ? System.Text.Encoding.UTF8.GetString(bytes) : new string(bytes.Select(b => ":-[]{}#&*!|>'\"%@`, \n\tab1"[b % 24]).ToArray());

            var result = IstioConfigurationLoader.LoadYaml(text, "random.yaml");

            Assert.All(result.Diagnostics, d => Assert.StartsWith("random.yaml", d.Location));
        }
    }
}
