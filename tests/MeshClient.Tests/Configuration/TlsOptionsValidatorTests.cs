using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;

namespace MeshClient.Tests.Configuration;

[Trait("Area", "Tls")]
public sealed class TlsOptionsValidatorTests : IDisposable
{
    private const string Prefix = "External service 'api.example.com': trafficPolicy.";
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Validate_SimpleWithCaFile_Valid() =>
        Assert.Empty(Validate(new TlsOptions { Mode = TlsMode.Simple, CaCertificates = _pki.CaPath }));

    [Fact]
    public void Validate_MutualWithFiles_Valid()
    {
        var (certificate, key) = _pki.WriteClient("client");
        Assert.Empty(Validate(new TlsOptions { Mode = TlsMode.Mutual, ClientCertificate = certificate, PrivateKey = key }));
    }

    [Fact]
    public void Validate_MutualWithoutCertificateAndKey_IstioErrors() =>
        Assert.Equal(
            [
                Prefix + "tls.clientCertificate: client certificate required for mutual tls.",
                Prefix + "tls.privateKey: private key required for mutual tls.",
            ],
            Errors(new TlsOptions { Mode = TlsMode.Mutual }));

    [Fact]
    public void Validate_IstioMutual_ErrorExplainsWhatToUseInstead() =>
        Assert.Equal(
            [Prefix + "tls.mode ISTIO_MUTUAL is not supported: it needs the workload certificates istiod issues to sidecars, which an application outside the mesh does not have. Use MUTUAL with clientCertificate and privateKey (or credentialName) to present your own certificate, or SIMPLE."],
            Errors(new TlsOptions { Mode = TlsMode.IstioMutual }));

    [Fact]
    public void Validate_InsecureSkipVerifyWithDisable_IstioError() =>
        Assert.Equal(
            [Prefix + "tls.insecureSkipVerify: cannot set InsecureSkipVerify to true with TLS mode DISABLE."],
            Errors(new TlsOptions { Mode = TlsMode.Disable, InsecureSkipVerify = true }));

    [Fact]
    public void Validate_InsecureSkipVerify_Warning() =>
        Assert.Equal(
            [Prefix + "tls.insecureSkipVerify is true: server certificates are not checked at all (no CA, no subjectAltNames, no CRL). Never use it in production."],
            Validate(new TlsOptions { Mode = TlsMode.Simple, InsecureSkipVerify = true }).Where(d => !d.IsError).Select(d => d.Message).ToArray());

    [Fact]
    public void Validate_CredentialNameWithFiles_IstioError() =>
        Assert.Equal(
            [Prefix + "tls.credentialName: cannot specify client certificates or CA certificate or CA CRL If credentialName is set."],
            Errors(new TlsOptions { Mode = TlsMode.Simple, CredentialName = _pki.Directory, CaCertificates = _pki.CaPath }));

    [Fact]
    public void Validate_CredentialNameWithoutDirectory_ErrorNamesTheLayout()
    {
        var missing = Path.Combine(_pki.Directory, "nope");
        Assert.Equal(
            [Prefix + $"tls.credentialName '{missing}': directory '{missing}' does not exist (a credential is a directory in the Kubernetes TLS secret layout: tls.crt, tls.key, optional ca.crt and ca.crl; see MeshOptions.CredentialsDirectory)."],
            Errors(new TlsOptions { Mode = TlsMode.Mutual, CredentialName = missing }));
    }

    [Fact]
    public void Validate_MissingCaFile_WarningNamesFieldPathAndEffect()
    {
        var missing = Path.Combine(_pki.Directory, "missing.pem");
        var options = new TlsOptions { Mode = TlsMode.Simple, CaCertificates = missing };

        Assert.Empty(Errors(options));
        Assert.Equal(
            [Prefix + $"tls.caCertificates file '{missing}' does not exist; connections to this service fail with 503 UF until it appears."],
            Validate(options).Where(d => !d.IsError).Select(d => d.Message).ToArray());
    }

    [Fact]
    public void Validate_MutualWithEveryFileMissing_OneWarningEach()
    {
        var cert = Path.Combine(_pki.Directory, "no.crt");
        var key = Path.Combine(_pki.Directory, "no.key");
        var crl = Path.Combine(_pki.Directory, "no.crl");

        var warnings = Validate(new TlsOptions { Mode = TlsMode.Mutual, ClientCertificate = cert, PrivateKey = key, CaCrl = crl }).Where(d => !d.IsError).Select(d => d.Message).ToArray();

        Assert.Equal(
            [
                Prefix + $"tls.clientCertificate file '{cert}' does not exist; connections to this service fail with 503 UF until it appears.",
                Prefix + $"tls.privateKey file '{key}' does not exist; connections to this service fail with 503 UF until it appears.",
                Prefix + $"tls.caCrl file '{crl}' does not exist; connections to this service fail with 503 UF until it appears.",
            ],
            warnings);
    }

    [Fact]
    public void Validate_MissingKeyButCaNotPem_ErrorForThePresentFileWarningForTheMissingOne()
    {
        var (certificate, _) = _pki.WriteClient("client");
        var key = Path.Combine(_pki.Directory, "absent.key");
        var ca = _pki.Write("bad-ca.crt", "no pem here");
        var options = new TlsOptions { Mode = TlsMode.Mutual, ClientCertificate = certificate, PrivateKey = key, CaCertificates = ca };

        var error = Assert.Single(Errors(options));

        Assert.StartsWith(Prefix + $"tls.caCertificates file '{ca}' holds no PEM certificate", error, StringComparison.Ordinal);
        Assert.Single(Validate(options), d => !d.IsError && d.Message.Contains($"privateKey file '{key}' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_KeyThatIsNotPem_ErrorNeverQuotesTheFile()
    {
        var (certificate, _) = _pki.WriteClient("client");
        var key = _pki.Write("bad.key", "SECRET-MATERIAL-1234");
        var error = Assert.Single(Errors(new TlsOptions { Mode = TlsMode.Mutual, ClientCertificate = certificate, PrivateKey = key }));
        Assert.StartsWith(Prefix + $"tls.privateKey file '{key}' is not the unencrypted PEM private key of the certificate in '{certificate}'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-MATERIAL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PortLevelSettings_PortRulesAndTlsPath()
    {
        var service = Service(null);
        service.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 0 });
        service.TrafficPolicy.PortLevelSettings.Add(new PortTrafficPolicyOptions { Port = 8080, Tls = new TlsOptions { Mode = TlsMode.Mutual, CredentialName = null, ClientCertificate = _pki.CaPath } });

        var results = MeshOptionsValidator.Validate(Options(service));

        Assert.Equal(
            [
                Prefix + "portLevelSettings[0].port port number 0 must be between 1-65535.",
                Prefix + "portLevelSettings[1].tls.privateKey: private key required for mutual tls.",
            ],
            results.Where(d => d.IsError).Select(d => d.Message).ToArray());
        Assert.Equal(
            [Prefix + "portLevelSettings[1].port 8080 is not a port of the service, so these settings apply to nothing."],
            results.Where(d => !d.IsError).Select(d => d.Message).ToArray());
    }

    [Fact]
    public void Validate_SubsetTls_ValidatedWithItsPath()
    {
        var service = Service(null);
        service.Subsets.Add(new SubsetOptions { Name = "v1", TrafficPolicy = new TrafficPolicyOptions { Tls = new TlsOptions { Mode = TlsMode.IstioMutual } } });

        var error = Assert.Single(MeshOptionsValidator.Validate(Options(service)), d => d.IsError);

        Assert.StartsWith("External service 'api.example.com': subsets[0].trafficPolicy.tls.mode ISTIO_MUTUAL is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateRefreshIntervalBelowOneSecond_Error()
    {
        var options = Options(Service(null));
        options.CertificateRefreshInterval = TimeSpan.FromMilliseconds(10);

        Assert.Equal(["certificateRefreshInterval must be at least 1s (was '0.01s')."], MeshOptionsValidator.Validate(options).Select(d => d.Message).ToArray());
    }

    private static ExternalServiceOptions Service(TlsOptions? tls)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com", Resolution = ServiceResolution.Static };
        service.Hosts.Add("api.example.com");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http) { TargetPort = 443 });
        service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        service.TrafficPolicy.Tls = tls;
        return service;
    }

    private static MeshOptions Options(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return options;
    }

    private static List<MeshConfigurationDiagnostic> Validate(TlsOptions tls) => MeshOptionsValidator.Validate(Options(Service(tls)));

    private static string[] Errors(TlsOptions tls) => Validate(tls).Where(d => d.IsError).Select(d => d.Message).ToArray();
}
