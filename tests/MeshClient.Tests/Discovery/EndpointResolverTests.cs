using System.Net;
using MeshClient.Configuration;
using MeshClient.Discovery;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Discovery;

/// <summary>The public <see cref="IMeshEndpointResolver"/> extension point, selected per service.</summary>
[Trait("Area", "Discovery")]
public sealed class EndpointResolverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolver_SelectedByTheService_ReplacesDns()
    {
        var registry = new Registry("registry") { ["api.example.com"] = ["10.1.0.1", "10.1.0.2"] };
        using var harness = new MeshHarness(services =>
        {
            services.AddSingleton<IMeshEndpointResolver>(registry);
            services.AddMeshExternalService("api.example.com", s =>
            {
                s.Resolution = ServiceResolution.Dns;
                s.Resolver = "Registry";
                s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            });
        });

        var endpoint = await harness.EndpointOfAsync("http://api.example.com/");

        var cluster = harness.Runtime.FindCluster(new MeshClient.Model.ClusterKey("api.example.com", 80))!;
        Assert.Equal(["10.1.0.1:80", "10.1.0.2:80"], cluster.Endpoints.Select(e => e.Authority));
        Assert.Contains(endpoint, new[] { "10.1.0.1:80", "10.1.0.2:80" });
        Assert.Equal(["api.example.com"], registry.Asked.Distinct());
        Assert.InRange(cluster.Dns!.NextRefreshDelay!.Value, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(100)); // the resolver's TTL, plus jitter
    }

    [Fact]
    public async Task Resolver_Failure_IsADnsFailure_503DF()
    {
        var registry = new Registry("registry");
        using var harness = new MeshHarness(services =>
        {
            services.AddSingleton<IMeshEndpointResolver>(registry);
            services.AddMesh(o => o.Dns.FirstResolutionTimeout = TimeSpan.FromSeconds(5));
            services.AddMeshExternalService("api.example.com", s =>
            {
                s.Resolution = ServiceResolution.Dns;
                s.Resolver = "registry";
                s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            });
        });

        using var response = await harness.CreateClient().GetAsync("http://api.example.com/", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.DnsResolutionFailure, response.GetMeshResult()!.Flags);
    }

    [Fact]
    public void Validate_UnknownResolverOrNotADnsResolution_Errors()
    {
        var options = new MeshOptions();
        var unknown = new ExternalServiceOptions { Resolution = ServiceResolution.Dns, Resolver = "consul", Hosts = { "a.example.com" } };
        unknown.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        var staticService = new ExternalServiceOptions { Resolution = ServiceResolution.Static, Resolver = "registry", Hosts = { "b.example.com" } };
        staticService.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        staticService.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        options.ExternalServices.Add(unknown);
        options.ExternalServices.Add(staticService);

        Assert.Equal(
            [
                "External service 'a.example.com': resolver 'consul' is not a registered IMeshEndpointResolver (registered: registry).",
                "External service 'b.example.com': resolver 'registry' applies only to the resolutions DNS, DNS_ROUND_ROBIN and DYNAMIC_DNS (resolution is STATIC).",
            ],
            MeshOptionsValidator.Validate(options, ["registry"]).Where(d => d.IsError).Select(d => d.Message));
    }

    private sealed class Registry(string name) : Dictionary<string, string[]>, IMeshEndpointResolver
    {
        public string Name => name;

        public List<string> Asked { get; } = [];

        public ValueTask<MeshResolvedAddresses> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(host);
            }

            return ValueTask.FromResult(TryGetValue(host, out var addresses)
                ? MeshResolvedAddresses.Success([.. addresses.Select(IPAddress.Parse)], TimeSpan.FromMinutes(1))
                : MeshResolvedAddresses.Failure("unknown service"));
        }
    }
}
