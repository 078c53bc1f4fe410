using System.Net;
using MeshClient.Configuration;
using MeshClient.Fallback;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Fallback;

/// <summary>Fallback options: validation with field paths, appsettings binding (Envoy flag codes included), C# registration.</summary>
[Trait("Area", "Fallback")]
public sealed class FallbackConfigurationTests
{
    private static string[] Errors(Action<FallbackOptions> configure)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com", Fallback = new FallbackOptions() };
        service.Hosts.Add("api.example.com");
        MeshHarness.Static(service, 443, "10.0.0.1");
        configure(service.Fallback);
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options).Where(d => d.IsError).Select(d => d.Message).ToArray();
    }

    [Fact]
    public void Validate_Defaults_NoErrors() => Assert.Empty(Errors(_ => { }));

    [Theory]
    [InlineData(MeshResponseFlags.NoHealthyUpstream, true)]
    [InlineData(MeshResponseFlags.UpstreamConnectionFailure, true)]
    [InlineData(MeshResponseFlags.UpstreamOverflow, true)]
    [InlineData(MeshResponseFlags.UpstreamRequestTimeout, true)]
    [InlineData(MeshResponseFlags.UpstreamRetryLimitExceeded | MeshResponseFlags.UpstreamConnectionFailure, true)]
    [InlineData(MeshResponseFlags.UpstreamConnectionTermination, true)]
    [InlineData(MeshResponseFlags.DnsResolutionFailure, true)]
    [InlineData(MeshResponseFlags.NoRouteFound, false)]
    [InlineData(MeshResponseFlags.FaultInjected, false)]
    public void DefaultPolicy_TriggersOnTheServicesFailures_NotOnTheCallersOwn(MeshResponseFlags flags, bool triggers) =>
        Assert.Equal(triggers, new FallbackPolicy("api.example.com", new FallbackOptions()).Triggers(flags, null));

    [Fact]
    public void Validate_BadValues_EveryErrorWithItsFieldPath()
    {
        var errors = Errors(f =>
        {
            f.Ttl = TimeSpan.Zero;
            f.MaxStale = TimeSpan.FromSeconds(-1);
            f.MaxBodyBytes = -1;
            f.MaxEntries = 0;
            f.StatusCodes.Add(99);
            f.Methods.Add("GE T");
            f.VaryHeaders.Add("X:Y");
            f.OnFlags = (MeshResponseFlags)(1 << 20);
        });

        Assert.Equal(
            [
                "External service 'api.example.com': fallback.ttl must be positive (was '0s').",
                "External service 'api.example.com': fallback.maxStale must not be negative (was '-1s').",
                "External service 'api.example.com': fallback.maxBodyBytes must not be negative (was '-1').",
                "External service 'api.example.com': fallback.maxEntries must be at least 1 (was '0').",
                "External service 'api.example.com': fallback.statusCodes[0] must be an HTTP status code between 100 and 599 (was '99').",
                "External service 'api.example.com': fallback.methods[0] 'GE T' is not an HTTP method.",
                "External service 'api.example.com': fallback.varyHeaders[0] 'X:Y' is not a header name.",
                "External service 'api.example.com': fallback.onFlags has unknown flags (was '1048576').",
            ],
            errors);
    }

    [Fact]
    public async Task Appsettings_FallbackSection_BindsAndServes()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "STATIC",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "80",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "http",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.1",
            ["Mesh:ExternalServices:0:Fallback:Ttl"] = "00:00:30",
            ["Mesh:ExternalServices:0:Fallback:MaxStale"] = "00:10:00",
            ["Mesh:ExternalServices:0:Fallback:OnFlags"] = "UF,URX",
            ["Mesh:ExternalServices:0:Fallback:StatusCodes:0"] = "500",
            ["Mesh:ExternalServices:0:Fallback:Methods:0"] = "GET",
            ["Mesh:ExternalServices:0:Fallback:VaryHeaders:0"] = "Accept-Language",
            ["Mesh:ExternalServices:0:Fallback:MaxBodyBytes"] = "2048",
            ["Mesh:ExternalServices:0:Fallback:MaxEntries"] = "50",
            ["Mesh:ExternalServices:0:Fallback:CacheAuthorizedRequests"] = "true",
        }).Build();
        var up = true;
        using var harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<IConfiguration>(configuration);
                services.AddSingleton(new MeshClient.Resilience.RetryJitter(() => 0));
                services.AddMesh().BindConfiguration("Mesh");
            },
            new RecordingHandler((_, _) => up
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("v1") })
                : Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused"))));

        var policy = harness.Runtime.State.Snapshot.Fallbacks.Match("api.example.com", 80)!;
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 2048, 50, true), (policy.Ttl, policy.MaxStale, policy.MaxBodyBytes, policy.MaxEntries, policy.CacheAuthorizedRequests));
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, policy.OnFlags);
        Assert.Equal(["Accept-Encoding", "Accept-Language"], policy.VaryHeaders);
        Assert.False(policy.AppliesTo(HttpMethod.Head));

        var client = harness.CreateClient();
        (await client.GetAsync("http://api.example.com/a", TestContext.Current.CancellationToken)).Dispose();
        var cache = harness.Services.GetRequiredService<FallbackCache>();
        for (var i = 0; i < 2_000_000 && cache.StoredCount == 0; i++)
        {
            await Task.Yield();
        }

        up = false;
        using var served = await client.GetAsync("http://api.example.com/a", TestContext.Current.CancellationToken);
        Assert.True(served.GetMeshResult()!.FromCache);
    }

    [Theory]
    [InlineData("UH,UF", MeshResponseFlags.NoHealthyUpstream | MeshResponseFlags.UpstreamConnectionFailure)]
    [InlineData("urx", MeshResponseFlags.UpstreamRetryLimitExceeded)]
    [InlineData("UpstreamRequestTimeout, UO", MeshResponseFlags.UpstreamRequestTimeout | MeshResponseFlags.UpstreamOverflow)]
    [InlineData("None", MeshResponseFlags.None)]
    public void ResponseFlagsSpelling_EnvoyCodesAndNames_Parse(string text, MeshResponseFlags expected)
    {
        Assert.True(ResponseFlagsSpelling.TryParse(text, out var flags));
        Assert.Equal(expected, flags);
    }

    [Fact]
    public void Appsettings_UnknownFlag_ReportedWithItsKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Fallback:OnFlags"] = "UF,XX",
        }).Build();
        var options = new MeshOptions();
        MeshConfigurationBinding.TryBind(configuration.GetSection("Mesh"), options, "Configuration section 'Mesh'");

        var error = Assert.Single(options.SourceDiagnostics);
        Assert.StartsWith("Configuration section 'Mesh': Mesh:ExternalServices:0:Fallback:OnFlags: 'UF,XX' is not a list of response flags", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFallbackCache_NullBuilder_Throws() =>
        Assert.Throws<ArgumentNullException>(() => MeshFallbackBuilderExtensions.AddFallbackCache(null!));

    [Fact]
    public void AddFallbackCache_SetsTheServicesPolicy()
    {
        var services = new ServiceCollection();
        services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"))
            .AddFallbackCache(f => f.Ttl = TimeSpan.FromSeconds(7));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeshOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(7), options.ExternalServices.Single().Fallback!.Ttl);
    }
}
