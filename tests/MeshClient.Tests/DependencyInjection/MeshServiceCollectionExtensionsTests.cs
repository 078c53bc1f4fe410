using System.Net;
using MeshClient.Configuration;
using MeshClient.Http;
using MeshClient.Runtime;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.DependencyInjection;

[Trait("Area", "Api")]
public sealed class MeshServiceCollectionExtensionsTests
{
    [Fact]
    public void PublicExtensions_NullArguments_Throw()
    {
        var services = new ServiceCollection();
        IServiceCollection nullServices = null!;
        IHttpClientBuilder nullBuilder = null!;
        IMeshBuilder nullMesh = null!;
        var config = new ConfigurationBuilder().Build();

        Assert.Throws<ArgumentNullException>(() => nullServices.AddMesh());
        Assert.Throws<ArgumentNullException>(() => nullServices.AddMeshExternalService("a.com", _ => { }));
        Assert.Throws<ArgumentNullException>(() => services.AddMeshExternalService(null!, _ => { }));
        Assert.Throws<ArgumentException>(() => services.AddMeshExternalService(" ", _ => { }));
        Assert.Throws<ArgumentNullException>(() => services.AddMeshExternalService("a.com", (Action<ExternalServiceOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => nullServices.AddMeshExternalService("a.com", config));
        Assert.Throws<ArgumentNullException>(() => services.AddMeshExternalService("a.com", (IConfiguration)null!));
        Assert.Throws<ArgumentNullException>(() => nullBuilder.AddMeshHandlers());
        Assert.Throws<ArgumentNullException>(() => nullMesh.BindConfiguration("Mesh"));
        Assert.Throws<ArgumentException>(() => services.AddMesh().BindConfiguration(""));
        Assert.Throws<ArgumentNullException>(() => ((HttpResponseMessage)null!).GetMeshResult());
        Assert.Throws<ArgumentNullException>(() => ((HttpRequestMessage)null!).GetMeshResult());
        Assert.Throws<ArgumentNullException>(() => MeshConfigurationValidator.Validate(null!));
    }

    [Fact]
    public void AddMeshExternalService_ReturnsNamedClientBuilder_WithBaseAddress()
    {
        using var harness = new MeshHarness(services =>
        {
            var builder = services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"));
            Assert.Equal("api.example.com", builder.Name);
            Assert.IsAssignableFrom<IHttpClientBuilder>(builder);
            services.AddMeshExternalService("plain.example.com", s => MeshHarness.Static(s, 8080, "10.0.0.2"));
        });

        Assert.Equal(new Uri("https://api.example.com/"), harness.CreateClient("api.example.com").BaseAddress);
        Assert.Equal(new Uri("http://plain.example.com:8080/"), harness.CreateClient("plain.example.com").BaseAddress);
    }

    [Fact]
    public void AddMeshHandlers_CalledTwice_OneRoutingHandler()
    {
        var services = new ServiceCollection();
        services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1")).AddMeshHandlers();
        services.ConfigureHttpClientDefaults(b => b.AddMeshHandlers());
        using var provider = services.BuildServiceProvider();

        var builder = provider.GetRequiredService<HttpMessageHandlerBuilder>();
        builder.Name = "api.example.com";
        // What DefaultHttpClientFactory does: the client's actions, wrapped by every filter.
        Action<HttpMessageHandlerBuilder> configure = b =>
        {
            foreach (var action in provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get("api.example.com").HttpMessageHandlerBuilderActions)
            {
                action(b);
            }
        };
        var filters = provider.GetServices<Microsoft.Extensions.Http.IHttpMessageHandlerBuilderFilter>().ToArray();
        for (var i = filters.Length - 1; i >= 0; i--)
        {
            configure = filters[i].Configure(configure);
        }

        configure(builder);

        Assert.Single(builder.AdditionalHandlers.OfType<MeshRoutingHandler>());
        Assert.IsType<MeshEndpointHandler>(builder.PrimaryHandler);
    }

    [Fact]
    public async Task HostStart_InvalidConfiguration_FailsWithEveryError()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMeshExternalService("*", s => s.Ports.Add(new ServicePortOptions(0, "http")));
        using var host = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(
            [
                "External service '*': hosts[0] hostname cannot be wildcard '*' (declare the domains the service answers for).",
                "External service '*': ports[0].number port must be between 1-65535 (was '0').",
            ],
            exception.Failures);
    }

    [Fact]
    public async Task BindConfiguration_AppSettingsShape_RoutesAndReportsUnknownKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:OutboundTrafficPolicy"] = "RegistryOnly",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "Static",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "443",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "https",
            ["Mesh:ExternalServices:0:Ports:0:Protocol"] = "HTTPS",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.9",
            ["Mesh:ExternalServices:0:Endpoints:0:Weight"] = "2",
        }).Build();
        using var harness = new MeshHarness(services =>
        {
            services.AddSingleton<IConfiguration>(configuration);
            services.AddMesh().BindConfiguration("Mesh");
        });

        using var ok = await harness.CreateClient().GetAsync("https://api.example.com/", TestContext.Current.CancellationToken);
        using var blocked = await harness.CreateClient().GetAsync("https://other.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal("10.0.0.9:443", ok.GetMeshResult()!.Endpoint);
        Assert.Equal(HttpStatusCode.BadGateway, blocked.StatusCode);
    }

    [Fact]
    public async Task BindConfiguration_Reload_AppliesValidChangesAndKeepsLastGoodOnErrors()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "Static",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "80",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "http",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.1",
        }).Build();
        using var harness = MeshHarness.BoundTo(configuration);
        Task<string?> EndpointAsync() => harness.EndpointOfAsync("http://api.example.com/");

        Assert.Equal("10.0.0.1:80", await EndpointAsync());

        configuration["Mesh:ExternalServices:0:Endpoints:0:Address"] = "not-an-ip";
        configuration.Reload();
        Assert.Equal("10.0.0.1:80", await EndpointAsync());

        configuration["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.2";
        configuration.Reload();
        Assert.Equal("10.0.0.2:80", await EndpointAsync());
    }

    [Fact]
    public void BindConfiguration_UnknownKey_IsAnError()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolutoin"] = "Static",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var exception = Assert.Throws<MeshConfigurationException>(() => provider.GetRequiredService<MeshRuntime>());

        var error = Assert.Single(exception.Errors);
        Assert.StartsWith("Configuration section 'Mesh': ", error, StringComparison.Ordinal);
        Assert.Contains("'Resolutoin'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMeshExternalService_FromConfigurationSection_Binds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Services:Weather:Resolution"] = "Static",
            ["Services:Weather:Ports:0:Number"] = "80",
            ["Services:Weather:Ports:0:Name"] = "http",
            ["Services:Weather:Endpoints:0:Address"] = "10.1.1.1",
            ["Services:Weather:Endpoints:0:Ports:http"] = "8081",
        }).Build();
        using var harness = new MeshHarness(services =>
            services.AddMeshExternalService("weather.example.com", configuration.GetSection("Services:Weather")));

        using var response = await harness.CreateClient("weather.example.com").GetAsync("/today", TestContext.Current.CancellationToken);

        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal("10.1.1.1:8081", sent.Target);
        Assert.Equal("/today", sent.Uri.PathAndQuery);
        Assert.Equal("weather.example.com", response.GetMeshResult()!.Service);
    }

    [Fact]
    public async Task MeshStatistics_ReportsEndpointCounters()
    {
        using var harness = new MeshHarness(services =>
            services.AddMeshExternalService("api.example.com", s =>
            {
                MeshHarness.Static(s, 443, "10.0.0.1", "10.0.0.2");
                s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin; // a known split of the three requests
            }));
        var client = harness.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("https://api.example.com/", TestContext.Current.CancellationToken);
        }

        var rows = harness.Services.GetRequiredService<MeshStatistics>().GetEndpointStatistics();

        Assert.Equal(
            [("10.0.0.1:443", 2L, 2L, 0L), ("10.0.0.2:443", 1L, 1L, 0L)],
            rows.Select(r => (r.Endpoint, r.Requests, r.Successes, r.Failures)).ToArray());
        Assert.All(rows, r => Assert.Equal("outbound|443||api.example.com", r.Cluster));
    }
}
