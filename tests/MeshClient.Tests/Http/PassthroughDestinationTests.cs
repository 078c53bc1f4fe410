using System.Net;
using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.Http;

/// <summary><see cref="MeshOptions.PassthroughDestination"/>: Istio Sidecar <c>outboundTrafficPolicy.egressProxy</c>.</summary>
[Trait("Area", "Egress")]
public sealed class PassthroughDestinationTests
{
    private const string Proxy = "egress.corp.internal";

    private static void ProxyService(ExternalServiceOptions service)
    {
        service.Resolution = ServiceResolution.Static;
        service.Location = ServiceLocation.MeshInternal;
        service.Ports.Add(new ServicePortOptions(3128, "http-proxy", ServiceProtocol.Http));
        service.Endpoints.Add(new ServiceEndpointOptions("10.9.0.1") { Labels = { ["tier"] = "a" } });
        service.Endpoints.Add(new ServiceEndpointOptions("10.9.0.2") { Labels = { ["tier"] = "b" } });
        service.Subsets.Add(new SubsetOptions { Name = "b", Labels = { ["tier"] = "b" } });
    }

    private static MeshHarness Mesh(Action<MeshOptions> configure, RecordingHandler? handler = null) => new(
        services =>
        {
            services.AddMesh(configure);
            services.AddMeshExternalService(Proxy, ProxyService);
            services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"));
        },
        handler);

    private static async Task<HttpResponseMessage> GetAsync(MeshHarness harness, string url) =>
        await harness.CreateClient().GetAsync(url, TestContext.Current.CancellationToken);

    [Fact]
    public async Task UnknownHost_GoesToTheDestinationsEndpoints_RequestUnchanged_NoRetries()
    {
        using var harness = Mesh(m => m.PassthroughDestination = new DestinationOptions { Host = Proxy }, new RecordingHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable))));

        using var response = await GetAsync(harness, "http://unknown.example.org/path?q=1");

        var sent = Assert.Single(harness.Handler.Seen); // Istio's passthrough: no retries
        Assert.Equal(new Uri("http://unknown.example.org/path?q=1"), sent.Uri);
        Assert.StartsWith("10.9.0.", sent.Target, StringComparison.Ordinal);
        var result = response.GetMeshResult()!;
        Assert.Equal($"outbound|3128||{Proxy}", result.Cluster);
        Assert.Equal("unknown.example.org", result.DestinationService);
        Assert.Equal(1, result.Attempts);
    }

    [Fact]
    public async Task Subset_And_RegisteredHostsUnaffected()
    {
        using var harness = Mesh(m => m.PassthroughDestination = new DestinationOptions { Host = Proxy, Subset = "b", Port = new PortSelectorOptions { Number = 3128 } });

        using var unknown = await GetAsync(harness, "https://unknown.example.org/");
        using var known = await GetAsync(harness, "https://api.example.com/");

        Assert.Equal($"outbound|3128|b|{Proxy}", unknown.GetMeshResult()!.Cluster);
        Assert.Equal("10.9.0.2:3128", harness.Handler.Seen[0].Target);
        Assert.Equal("outbound|443||api.example.com", known.GetMeshResult()!.Cluster);
        Assert.Equal("10.0.0.1:443", harness.Handler.Seen[1].Target);
    }

    [Fact]
    public void Validate_EveryRule_AnErrorNamingTheField()
    {
        static string[] Errors(Action<MeshOptions> configure)
        {
            var options = new MeshOptions();
            var proxy = new ExternalServiceOptions();
            proxy.Hosts.Add(Proxy);
            ProxyService(proxy);
            proxy.Ports.Add(new ServicePortOptions(8080, "http-alt", ServiceProtocol.Http));
            options.ExternalServices.Add(proxy);
            configure(options);
            return MeshOptionsValidator.Validate(options).Where(d => d.IsError).Select(d => d.Message).ToArray();
        }

        Assert.Equal(
            [
                "passthroughDestination is valid only with outboundTrafficPolicy ALLOW_ANY: under REGISTRY_ONLY requests for unknown hosts are blocked, not sent anywhere.",
                "passthroughDestination cannot be set with egressProxy: both say where requests for unknown hosts go; choose one.",
                $"passthroughDestination.port is required: '{Proxy}' has 2 ports.",
                $"passthroughDestination.subset 'c' is not a subset of '{Proxy}'.",
            ],
            Errors(m =>
            {
                m.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly;
                m.EgressProxy = new EgressProxyOptions { Address = "http://127.0.0.1:3128" };
                m.PassthroughDestination = new DestinationOptions { Host = Proxy, Subset = "c" };
            }));
        Assert.Equal(["passthroughDestination.host 'other.example.com' is not a host of a registered external service."], Errors(m => m.PassthroughDestination = new DestinationOptions { Host = "other.example.com" }));
        Assert.Equal(["passthroughDestination.host '*.corp.internal' must be a host name, not a wildcard."], Errors(m => m.PassthroughDestination = new DestinationOptions { Host = "*.corp.internal" }));
        Assert.Equal(["passthroughDestination.host is required: a host of a registered external service."], Errors(m => m.PassthroughDestination = new DestinationOptions()));
        Assert.Equal([$"passthroughDestination.port.number 9 is not a port of '{Proxy}' (its ports: 3128, 8080)."], Errors(m => m.PassthroughDestination = new DestinationOptions { Host = Proxy, Port = new PortSelectorOptions { Number = 9 } }));
        Assert.Empty(Errors(m => m.PassthroughDestination = new DestinationOptions { Host = Proxy, Port = new PortSelectorOptions { Number = 8080 } }));
    }

    [Fact]
    public async Task BindConfiguration_PassthroughDestination_BindsAndRoutes()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:PassthroughDestination:Host"] = Proxy,
            ["Mesh:PassthroughDestination:Port:Number"] = "3128",
            ["Mesh:PassthroughDestination:Subset"] = "b",
            ["Mesh:ExternalServices:0:Hosts:0"] = Proxy,
            ["Mesh:ExternalServices:0:Resolution"] = "STATIC",
            ["Mesh:ExternalServices:0:Location"] = "MESH_INTERNAL",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "3128",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "http-proxy",
            ["Mesh:ExternalServices:0:Ports:0:Protocol"] = "HTTP",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.9.0.2",
            ["Mesh:ExternalServices:0:Endpoints:0:Labels:tier"] = "b",
            ["Mesh:ExternalServices:0:Subsets:0:Name"] = "b",
            ["Mesh:ExternalServices:0:Subsets:0:Labels:tier"] = "b",
        }).Build();
        using var harness = MeshHarness.BoundTo(configuration);

        var options = harness.Services.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
        Assert.Empty(options.SourceDiagnostics);
        Assert.Equal((Proxy, "b", 3128), (options.PassthroughDestination!.Host, options.PassthroughDestination.Subset, options.PassthroughDestination.Port!.Number));

        using var response = await GetAsync(harness, "http://unknown.example.org/");
        Assert.Equal($"outbound|3128|b|{Proxy}", response.GetMeshResult()!.Cluster);
    }

    [Fact]
    public async Task Reload_DestinationRemoved_UnknownHostsGoStraightToThemselvesAgain()
    {
        using var harness = Mesh(m => m.PassthroughDestination = new DestinationOptions { Host = Proxy });
        using (var before = await GetAsync(harness, "http://unknown.example.org/"))
        {
            Assert.Equal($"outbound|3128||{Proxy}", before.GetMeshResult()!.Cluster);
        }

        var changed = new MeshOptions();
        var proxy = new ExternalServiceOptions();
        proxy.Hosts.Add(Proxy);
        ProxyService(proxy);
        changed.ExternalServices.Add(proxy);
        Assert.DoesNotContain(harness.Runtime.Reload(changed), d => d.IsError);
        using var after = await GetAsync(harness, "http://unknown.example.org/");

        Assert.Equal("PassthroughCluster", after.GetMeshResult()!.Cluster);
        Assert.Equal("unknown.example.org:80", harness.Handler.Seen[^1].Target);
    }

    [Fact]
    public async Task Reload_DestinationChanges_AndAnInvalidOneKeepsTheLastGood()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:PassthroughDestination:Host"] = Proxy,
            ["Mesh:ExternalServices:0:Hosts:0"] = Proxy,
            ["Mesh:ExternalServices:0:Resolution"] = "STATIC",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "3128",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "http-proxy",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.9.0.1",
            ["Mesh:ExternalServices:0:Endpoints:0:Labels:tier"] = "a",
            ["Mesh:ExternalServices:0:Endpoints:1:Address"] = "10.9.0.2",
            ["Mesh:ExternalServices:0:Endpoints:1:Labels:tier"] = "b",
            ["Mesh:ExternalServices:0:Subsets:0:Name"] = "b",
            ["Mesh:ExternalServices:0:Subsets:0:Labels:tier"] = "b",
        }).Build();
        using var harness = MeshHarness.BoundTo(configuration);

        configuration["Mesh:PassthroughDestination:Subset"] = "b";
        configuration.Reload();
        using (var response = await GetAsync(harness, "http://unknown.example.org/"))
        {
            Assert.Equal($"outbound|3128|b|{Proxy}", response.GetMeshResult()!.Cluster);
        }

        configuration["Mesh:PassthroughDestination:Subset"] = "no-such-subset"; // rejected: the last good stays
        configuration.Reload();
        using (var response = await GetAsync(harness, "http://unknown.example.org/"))
        {
            Assert.Equal($"outbound|3128|b|{Proxy}", response.GetMeshResult()!.Cluster);
        }

        Assert.Equal(["10.9.0.2:3128", "10.9.0.2:3128"], harness.Handler.Seen.Select(s => s.Target));
    }
}
