namespace MeshClient.Istio.Tests;

/// <summary>istio.io's egress gateway task: the sidecar's hop (match gateways: [mesh]) is this application's; the gateway's hop is not.</summary>
[Trait("Area", "Egress")]
public sealed class EgressGatewayMappingTests
{
    private const string Task = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: cnn}
        spec:
          hosts: [edition.cnn.com]
          ports:
          - {number: 80, name: http-port, protocol: HTTP}
          - {number: 443, name: https, protocol: HTTPS}
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: egressgateway}
        spec:
          hosts: [istio-egressgateway.istio-system.svc.cluster.local]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints: [{address: 10.0.0.9}]
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: istio-egressgateway}
        spec:
          selector: {istio: egressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [edition.cnn.com]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: egressgateway-for-cnn}
        spec:
          host: istio-egressgateway.istio-system.svc.cluster.local
          subsets: [{name: cnn}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: direct-cnn-through-egress-gateway}
        spec:
          hosts: [edition.cnn.com]
          gateways: [istio-egressgateway, mesh]
          http:
          - match:
            - gateways: [mesh]
              port: 80
            route:
            - destination:
                host: istio-egressgateway.istio-system.svc.cluster.local
                subset: cnn
                port: {number: 80}
              weight: 100
          - match:
            - gateways: [istio-egressgateway]
              port: 80
            route:
            - destination:
                host: edition.cnn.com
                port: {number: 80}
              weight: 100
        """;

    [Fact]
    public void LoadYaml_EgressGatewayTask_MeshHopRoutesToTheGateway_GatewayHopLeftOut()
    {
        var result = IstioConfigurationLoader.LoadYaml(Task, "egress.yaml");

        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        var cnn = result.Options.ExternalServices.Single(s => s.Hosts.Contains("edition.cnn.com"));
        var route = Assert.Single(cnn.Http);
        var match = Assert.Single(route.Match);
        Assert.Equal(80, match.Port);
        var destination = Assert.Single(route.Route).Destination!;
        Assert.Equal(("istio-egressgateway.istio-system.svc.cluster.local", "cnn", 80), (destination.Host, destination.Subset, destination.Port!.Number));
        Assert.Contains(result.Diagnostics, d => d.FieldPath == "spec.http[1].match[0].gateways" && d.Message.Contains("does not list 'mesh'", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Diagnostics, d => d.FieldPath == "spec.http[0].match[0].gateways");
    }

    [Fact]
    public void LoadYaml_MatchBlocksMixed_OnlyTheMeshBlocksKept()
    {
        const string Mixed = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api}
            spec:
              hosts: [api.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: api}
            spec:
              hosts: [api.example.com]
              http:
              - match:
                - {gateways: [egress], uri: {prefix: /gw}}
                - {uri: {prefix: /app}}
                directResponse: {status: 418}
            """;

        var result = IstioConfigurationLoader.LoadYaml(Mixed, "mixed.yaml");

        var route = Assert.Single(Assert.Single(result.Options.ExternalServices).Http);
        Assert.Equal("/app", Assert.Single(route.Match).Uri!.Prefix);
    }
}
