using MeshClient.Configuration;
using MeshClient.Model;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Connections;

[Trait("Area", "Egress")]
public sealed class EgressProxySettingsTests : IDisposable
{
    private const string Prefix = "External service 'api.example.com': ";
    private readonly string _directory = Directory.CreateTempSubdirectory("meshclient-proxy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ExternalServiceOptions Service(EgressProxyOptions? proxy = null, ServiceLocation location = ServiceLocation.MeshExternal, string host = "api.example.com")
    {
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.Dns, EgressProxy = proxy, Location = location };
        service.Hosts.Add(host);
        service.Ports.Add(new ServicePortOptions(443, "https") { TargetPort = 8443 });
        return service;
    }

    private static string[] Errors(MeshOptions options) => MeshOptionsValidator.Validate(options).Where(d => d.IsError).Select(d => d.Message).ToArray();

    private static string[] ServiceErrors(EgressProxyOptions proxy)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(Service(proxy));
        return Errors(options);
    }

    [Fact]
    public void Validate_ServiceProxy_EveryErrorWithItsFieldPath()
    {
        var proxy = new EgressProxyOptions { Address = "https://proxy.example.com:3128", Password = "x", CredentialName = "proxy-auth" };
        proxy.NoProxy.Add("example.com");

        Assert.Equal(
            [
                Prefix + "egressProxy.address must be an absolute http:// URI with the proxy's host and port (was 'https://proxy.example.com:3128'): TLS to the proxy itself (an https:// proxy) is not supported yet; https:// requests still reach the external host through an http:// proxy in a CONNECT tunnel, with TLS end to end.",
                Prefix + "egressProxy.userName is required with password.",
                Prefix + "egressProxy.credentialName cannot be set with userName or password: choose one.",
                Prefix + "egressProxy.noProxy applies to the mesh-wide proxy only; a service's proxy is used for all of its hosts.",
            ],
            ServiceErrors(proxy));
    }

    [Fact]
    public void Validate_AddressWithCredentials_RejectedWithoutShowingThem()
    {
        var errors = ServiceErrors(new EgressProxyOptions { Address = "http://user:hunter2@proxy.example.com:3128" });

        Assert.Equal([Prefix + "egressProxy.address must not carry credentials: set userName and password, or credentialName."], errors);
    }

    [Fact]
    public void Validate_MeshWide_MissingAddressBadNoProxyAndMissingCredentialFiles()
    {
        var options = new MeshOptions { CredentialsDirectory = _directory, EgressProxy = new EgressProxyOptions { CredentialName = "proxy-auth" } };
        options.EgressProxy.NoProxy.Add("http://bad/");
        options.EgressProxy.NoProxy.Add("a*b.com");

        Assert.Equal(
            [
                "egressProxy.address is required: the proxy's http:// URI, such as 'http://proxy.example.com:3128'.",
                $"egressProxy.credentialName 'proxy-auth': file '{Path.Combine(_directory, "proxy-auth", "username")}' not found (the directory holds files 'username' and 'password').",
                $"egressProxy.credentialName 'proxy-auth': file '{Path.Combine(_directory, "proxy-auth", "password")}' not found (the directory holds files 'username' and 'password').",
                "egressProxy.noProxy[0] 'http://bad/' is not a host suffix: write 'example.com', '.example.com', '*.example.com' or '*'.",
                "egressProxy.noProxy[1] 'a*b.com' is not a host suffix: write 'example.com', '.example.com', '*.example.com' or '*'.",
            ],
            Errors(options));
    }

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "api.example.com", true)]
    [InlineData("example.com", "badexample.com", false)]
    [InlineData(".example.com", "example.com", false)]
    [InlineData(".example.com", "api.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "*.example.com", true)]
    [InlineData("*", "anything.test", true)]
    [InlineData("other.com", "api.example.com", false)]
    public void Bypasses_NoProxySemantics(string entry, string host, bool bypassed)
    {
        var proxy = new EgressProxyOptions { Address = "http://127.0.0.1:3128" };
        proxy.NoProxy.Add(entry);

        Assert.Equal(bypassed, EgressProxyClusters.Bypasses(proxy.NoProxy, host));
    }

    [Fact]
    public void Snapshot_ProxiedService_TheProxyIsTheOnlyEndpoint_NoDnsForTheExternalHost()
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(Service(new EgressProxyOptions { Address = "http://10.1.2.3:3128", UserName = "u", Password = "secret-password" }));

        var cluster = Assert.Single(MeshSnapshot.Build(options).Clusters);

        Assert.Equal(ServiceResolution.Static, cluster.Resolution);
        Assert.Equal("10.1.2.3:3128", Assert.Single(cluster.Endpoints).Authority);
        Assert.Empty(cluster.DnsTargets);
        Assert.Null(cluster.Dns);
        var proxy = cluster.Wire.Proxy!;
        Assert.Equal((8443, "u", "secret-password"), (proxy.TargetPort, proxy.UserName, proxy.Password));
        Assert.DoesNotContain("secret-password", cluster.Wire.ToString(), StringComparison.Ordinal);
        Assert.Equal("http://10.1.2.3:3128 (with credentials)", proxy.ToString());
    }

    [Fact]
    public void Snapshot_MeshWide_SkipsNoProxyHostsAndMeshInternalServices()
    {
        var options = new MeshOptions { EgressProxy = new EgressProxyOptions { Address = "http://proxy.corp.test:3128" } };
        options.EgressProxy.NoProxy.Add("corp.test");
        options.ExternalServices.Add(Service());
        options.ExternalServices.Add(Service(host: "api.corp.test"));
        options.ExternalServices.Add(Service(location: ServiceLocation.MeshInternal, host: "gateway.mesh.test"));

        var clusters = MeshSnapshot.Build(options).Clusters.ToDictionary(c => c.Key.Host);

        Assert.Equal("proxy.corp.test:3128", Assert.Single(clusters["api.example.com"].Endpoints).Authority);
        Assert.Null(clusters["api.corp.test"].Wire.Proxy);
        Assert.Null(clusters["gateway.mesh.test"].Wire.Proxy);
    }

    [Fact]
    public void Snapshot_CredentialName_ReadsUserNameAndPasswordFiles()
    {
        var secret = Directory.CreateDirectory(Path.Combine(_directory, "proxy-auth")).FullName;
        File.WriteAllText(Path.Combine(secret, "username"), "mesh\n");
        File.WriteAllText(Path.Combine(secret, "password"), "s3cret\n");
        var options = new MeshOptions { CredentialsDirectory = _directory, EgressProxy = new EgressProxyOptions { Address = "http://127.0.0.1:3128", CredentialName = "proxy-auth" } };
        options.ExternalServices.Add(Service());

        Assert.Empty(Errors(options));
        var proxy = Assert.Single(MeshSnapshot.Build(options).Clusters).Wire.Proxy!;

        Assert.Equal(("mesh", "s3cret"), (proxy.UserName, proxy.Password));
    }

    [Fact]
    public void Snapshot_CredentialName_ThroughTheRegisteredProvider_NotTheDirectory()
    {
        var provider = new FakeProvider { ["proxy-auth"] = new MeshCredential { UserName = "vault-user", Password = "vault-pass" } };
        var options = new MeshOptions { CredentialsDirectory = _directory, EgressProxy = new EgressProxyOptions { Address = "http://127.0.0.1:3128", CredentialName = "proxy-auth" } };
        options.ExternalServices.Add(Service());
        options.ExternalServices.Add(Service(new EgressProxyOptions { Address = "http://127.0.0.1:3129", CredentialName = "proxy-auth" }, host: "own.example.com"));

        Assert.DoesNotContain(MeshOptionsValidator.Validate(options, credentials: provider), d => d.IsError);
        var snapshot = MeshSnapshot.Build(options, provider);

        Assert.All(snapshot.Clusters, c => Assert.Equal(("vault-user", "vault-pass"), (c.Wire.Proxy!.UserName, c.Wire.Proxy.Password)));
        Assert.Equal(("vault-user", "vault-pass"), (snapshot.Passthrough.Wire.Proxy!.UserName, snapshot.Passthrough.Wire.Proxy.Password));
        Assert.Equal(["proxy-auth"], provider.Asked.Distinct());
    }

    [Fact]
    public void Validate_CredentialName_ProviderUnknownNoUserNameOrFailing_EachAnErrorAtTheField()
    {
        var provider = new FakeProvider { ["tls-only"] = new MeshCredential { CaCertificatesPem = "-----BEGIN CERTIFICATE-----" }, ["broken"] = null };
        var options = new MeshOptions { EgressProxy = new EgressProxyOptions { Address = "http://127.0.0.1:3128", CredentialName = "missing" } };
        options.ExternalServices.Add(Service(new EgressProxyOptions { Address = "http://127.0.0.1:3129", CredentialName = "tls-only" }));
        options.ExternalServices.Add(Service(new EgressProxyOptions { Address = "http://127.0.0.1:3130", CredentialName = "broken" }, host: "broken.example.com"));
        provider.Throws.Add("broken");

        var errors = MeshOptionsValidator.Validate(options, credentials: provider).Where(d => d.IsError).Select(d => d.Message).ToArray();

        Assert.Equal(
            [
                "egressProxy.credentialName 'missing': the credential provider (FakeProvider) does not know it.",
                Prefix + "egressProxy.credentialName 'tls-only': the credential has no user name (an egress proxy's credential is a basic-auth secret: username and password).",
                "External service 'broken.example.com': egressProxy.credentialName 'broken': the credential provider failed: vault unreachable",
            ],
            errors);
    }

    [Fact]
    public void DirectoryProvider_ReadsTheBasicAuthFiles_AndItsRootIsUsedForTheProxy()
    {
        var root = Directory.CreateDirectory(Path.Combine(_directory, "elsewhere")).FullName;
        var secret = Directory.CreateDirectory(Path.Combine(root, "proxy-auth")).FullName;
        File.WriteAllText(Path.Combine(secret, "username"), "mesh\r\n");
        File.WriteAllText(Path.Combine(secret, "password"), "s3cret\n");
        var provider = new MeshDirectoryCredentialProvider(root);
        var options = new MeshOptions { CredentialsDirectory = _directory, EgressProxy = new EgressProxyOptions { Address = "http://127.0.0.1:3128", CredentialName = "proxy-auth" } };
        options.ExternalServices.Add(Service());

        var credential = provider.GetCredential("proxy-auth")!;
        Assert.Equal(("mesh", "s3cret"), (credential.UserName, credential.Password));
        Assert.Equal("MeshCredential(username, password)", credential.ToString());
        Assert.DoesNotContain(MeshOptionsValidator.Validate(options, credentials: provider), d => d.IsError);
        Assert.Equal("mesh", Assert.Single(MeshSnapshot.Build(options, provider).Clusters).Wire.Proxy!.UserName);
    }

    private sealed class FakeProvider : Dictionary<string, MeshCredential?>, IMeshCredentialProvider
    {
        public List<string> Asked { get; } = [];

        public HashSet<string> Throws { get; } = [];

        public MeshCredential? GetCredential(string credentialName)
        {
            Asked.Add(credentialName);
            return Throws.Contains(credentialName) ? throw new InvalidOperationException("vault unreachable") : TryGetValue(credentialName, out var credential) ? credential : null;
        }
    }

    [Fact]
    public void BindConfiguration_MeshWideAndServiceProxies_Bind()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:EgressProxy:Address"] = "http://127.0.0.1:3128",
            ["Mesh:EgressProxy:NoProxy:0"] = ".internal.test",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "443",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "https",
            ["Mesh:ExternalServices:0:EgressProxy:Address"] = "http://127.0.0.2:8080",
            ["Mesh:ExternalServices:0:EgressProxy:UserName"] = "mesh",
            ["Mesh:ExternalServices:0:EgressProxy:Password"] = "s3cret",
        }).Build();
        using var harness = MeshHarness.BoundTo(configuration);

        var options = harness.Services.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;

        Assert.Empty(options.SourceDiagnostics);
        Assert.Equal("http://127.0.0.1:3128", options.EgressProxy!.Address);
        Assert.Equal([".internal.test"], options.EgressProxy.NoProxy);
        var proxy = Assert.Single(options.ExternalServices).EgressProxy!;
        Assert.Equal(("http://127.0.0.2:8080", "mesh", "s3cret"), (proxy.Address, proxy.UserName, proxy.Password));
        Assert.Equal("127.0.0.2:8080", Assert.Single(harness.Runtime.GetClusters()).Definition.Endpoints[0].Authority);
    }

    [Fact]
    public void Passthrough_MeshWideProxy_OnItsWireWithTheExclusions_WithoutOne_TheDefaultWire()
    {
        var options = new MeshOptions { EgressProxy = new EgressProxyOptions { Address = "http://10.1.2.3:3128", UserName = "u", Password = "p" } };
        options.EgressProxy.NoProxy.Add(".corp.test");

        var proxy = MeshSnapshot.Build(options).Passthrough.Wire.Proxy!;

        Assert.Equal(new Uri("http://10.1.2.3:3128"), proxy.Address);
        Assert.Null(proxy.TargetPort);
        Assert.True(proxy.Bypasses("api.corp.test"));
        Assert.False(proxy.Bypasses("api.example.com"));
        Assert.Equal("u", proxy.Credentials!.UserName);
        Assert.Null(MeshSnapshot.Build(new MeshOptions()).Passthrough.Wire.Proxy);
    }

    [Fact]
    public void Reload_MeshWideProxyAddedChangedRemoved_ThePassthroughClusterIsReplaced_SameSettingsKeepIt()
    {
        static MeshOptions With(string? address, params string[] noProxy)
        {
            var options = new MeshOptions();
            if (address is not null)
            {
                options.EgressProxy = new EgressProxyOptions { Address = address };
                foreach (var entry in noProxy)
                {
                    options.EgressProxy.NoProxy.Add(entry);
                }
            }

            return options;
        }

        using var runtime = new MeshClient.Runtime.MeshRuntime(new StaticMonitor(With(null)));
        var direct = runtime.Passthrough;

        runtime.Reload(With("http://127.0.0.1:3128", "a.test"));
        var proxied = runtime.Passthrough;
        Assert.NotSame(direct, proxied);
        Assert.True(direct.IsDisposed); // retired with nothing in flight
        Assert.Same(proxied, runtime.State.Passthrough.Targets[0].Cluster);

        runtime.Reload(With("http://127.0.0.1:3128", "a.test"));
        Assert.Same(proxied, runtime.Passthrough);

        runtime.Reload(With("http://127.0.0.1:3128", "b.test"));
        Assert.NotSame(proxied, runtime.Passthrough);

        runtime.Reload(With(null));
        Assert.Null(runtime.Passthrough.Definition.Wire.Proxy);
    }
}
