using MeshClient.Configuration;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Tls")]
public sealed class TlsMappingTests
{
    // Istio's egress TLS origination task: the application calls port 80, the sidecar originates TLS to 443.
    private const string Service = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: edition-cnn-com}
        spec:
          hosts: [edition.cnn.com]
          ports:
          - {number: 80, name: http-port, protocol: HTTP, targetPort: 443}
          - {number: 443, name: https-port, protocol: HTTPS}
          resolution: STATIC
          endpoints: [{address: 151.101.1.67}]
        ---

        """;

    [Fact]
    public void LoadYaml_EgressTlsOriginationTask_PortLevelSimpleMapsWithoutWarnings()
    {
        var rule = IstioYaml.DestinationRule("edition-cnn-com", "edition.cnn.com", """
            trafficPolicy:
              portLevelSettings:
              - port: {number: 80}
                tls:
                  mode: SIMPLE # initiates HTTPS when accessing edition.cnn.com
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        Assert.Empty(result.Validate());
        var policy = Assert.Single(result.Options.ExternalServices).TrafficPolicy;
        Assert.Null(policy.Tls);
        var port = Assert.Single(policy.PortLevelSettings);
        Assert.Equal((80, TlsMode.Simple), (port.Port, port.Tls!.Mode));
    }

    [Fact]
    public void LoadYaml_TrafficPolicyTls_MapsEveryField()
    {
        var rule = IstioYaml.DestinationRule("edition-cnn-com", "edition.cnn.com", """
            trafficPolicy:
              tls:
                mode: MUTUAL
                clientCertificate: /etc/certs/client.pem
                privateKey: /etc/certs/client.key
                caCertificates: /etc/certs/ca.pem
                caCrl: /etc/certs/ca.crl
                subjectAltNames: [edition.cnn.com, spiffe://cnn/edition]
                sni: edition.cnn.com
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        var tls = Assert.Single(result.Options.ExternalServices).TrafficPolicy.Tls!;
        Assert.Equal(TlsMode.Mutual, tls.Mode);
        Assert.Equal(("/etc/certs/client.pem", "/etc/certs/client.key", "/etc/certs/ca.pem", "/etc/certs/ca.crl"), (tls.ClientCertificate, tls.PrivateKey, tls.CaCertificates, tls.CaCrl));
        Assert.Equal(["edition.cnn.com", "spiffe://cnn/edition"], tls.SubjectAltNames);
        Assert.Equal("edition.cnn.com", tls.Sni);
        Assert.False(tls.InsecureSkipVerify);
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("not supported yet", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadYaml_InvalidTls_IstioMessagesWithFieldPaths()
    {
        var rule = IstioYaml.DestinationRule("edition-cnn-com", "edition.cnn.com", """
            trafficPolicy:
              tls:
                mode: MUTUAL
                insecureSkipVerify: maybe
              portLevelSettings:
              - tls: {mode: SIMPLE}
              - port: {number: 443}
                loadBalancer: {simple: RANDOM}
                tls: {mode: ISTIO_MUTUAL}
              - port: {number: 80}
                tls: {mode: STRICT}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");
        var messages = result.Validate().Select(d => d.Message).ToArray();

        Assert.Contains(messages, m => m.EndsWith("spec.trafficPolicy.tls.insecureSkipVerify: Invalid value: 'maybe' is not a boolean.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.EndsWith("spec.trafficPolicy.portLevelSettings[0].port.number: Required value: portTrafficPolicy must have valid port.", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("portLevelSettings[1].loadBalancer", StringComparison.Ordinal)); // applied per port since portLevelSettings[].loadBalancer is supported
        Assert.Contains(messages, m => m.EndsWith("spec.trafficPolicy.portLevelSettings[2].tls.mode: Unsupported value: 'STRICT': supported values: DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.EndsWith("trafficPolicy.tls.clientCertificate: client certificate required for mutual tls.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.EndsWith("trafficPolicy.tls.privateKey: private key required for mutual tls.", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("trafficPolicy.portLevelSettings[0].tls.mode ISTIO_MUTUAL is not supported", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadYaml_SubsetTls_Mapped()
    {
        var rule = IstioYaml.DestinationRule("edition-cnn-com", "edition.cnn.com", """
            subsets:
            - name: secure
              trafficPolicy:
                tls: {mode: SIMPLE, sni: secure.cnn.com}
                portLevelSettings:
                - port: {number: 80}
                  tls: {mode: SIMPLE}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + rule, "mesh.yaml");

        var subset = Assert.Single(Assert.Single(result.Options.ExternalServices).Subsets);
        Assert.Equal("secure.cnn.com", subset.TrafficPolicy!.Tls!.Sni);
        Assert.Equal(80, Assert.Single(subset.TrafficPolicy.PortLevelSettings).Port);
    }
}
