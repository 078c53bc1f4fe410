using System.Net;
using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MeshClient.Tests.Health;

[Trait("Area", "ActiveHealth")]
public sealed class ActiveHealthConfigurationTests
{
    private const string Prefix = "External service 'api.example.com': healthCheck";

    [Fact]
    public void BindConfiguration_HealthCheckSection_BindsEveryField()
    {
        var options = Bind("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "HealthCheck": {
                "Interval": "00:00:05", "IntervalJitter": "00:00:00.500", "Timeout": "00:00:02",
                "UnhealthyThreshold": 4, "HealthyThreshold": 3, "NoTrafficUntilHealthy": true,
                "Http": { "Path": "/healthz", "Method": "HEAD", "ExpectedStatuses": [ { "Start": 200, "End": 300 } ], "Headers": { "X-Probe": "mesh" } } } } ] } }
            """);

        Assert.Empty(options.SourceDiagnostics);
        var check = options.ExternalServices[0].HealthCheck!;
        Assert.Equal(TimeSpan.FromSeconds(5), check.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), check.IntervalJitter);
        Assert.Equal(TimeSpan.FromSeconds(2), check.Timeout);
        Assert.Equal(4, check.UnhealthyThreshold);
        Assert.Equal(3, check.HealthyThreshold);
        Assert.True(check.NoTrafficUntilHealthy);
        Assert.Equal("/healthz", check.Http!.Path);
        Assert.Equal("HEAD", check.Http.Method);
        var range = Assert.Single(check.Http.ExpectedStatuses);
        Assert.Equal((200, 300), (range.Start, range.End));
        Assert.Equal("mesh", check.Http.Headers["X-Probe"]);
        Assert.Null(check.Tcp);
    }

    [Fact]
    public void BindConfiguration_TcpEmptyObject_SelectsTheTcpCheck()
    {
        var options = Bind("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "HealthCheck": { "Tcp": { } } } ] } }
            """);

        Assert.Empty(options.SourceDiagnostics);
        var check = options.ExternalServices[0].HealthCheck!;
        Assert.NotNull(check.Tcp);
        Assert.Null(check.Http);
        Assert.Equal(HealthCheckDefaults.Interval, check.Interval);
        Assert.Equal(HealthCheckDefaults.UnhealthyThreshold, check.UnhealthyThreshold);
    }

    [Fact]
    public void Validate_Defaults_WithHttp_NoFindings()
    {
        Assert.Empty(Validate(static c => c.Http = new HttpHealthCheckOptions()));
    }

    [Fact]
    public void Validate_EveryError_NamesItsField()
    {
        var findings = Validate(static c =>
        {
            c.Interval = TimeSpan.Zero;
            c.IntervalJitter = TimeSpan.FromSeconds(-1);
            c.Timeout = TimeSpan.FromTicks(15_000);
            c.UnhealthyThreshold = 0;
            c.HealthyThreshold = -1;
            c.Http = new HttpHealthCheckOptions { Path = "healthz", Method = "CONNECT" };
            c.Http.ExpectedStatuses.Add(new HttpStatusRange(99, 200));
            c.Http.ExpectedStatuses.Add(new HttpStatusRange(200, 200));
            c.Http.Headers["Host"] = "other.example.com";
            c.Tcp = new TcpHealthCheckOptions();
        });

        Assert.Equal(
            [
                Prefix + ".interval duration must be greater than 1ms (was '0s').",
                Prefix + ".timeout only durations to ms precision are supported (was '0.0015s').",
                Prefix + ".intervalJitter must not be negative (was '-1s').",
                Prefix + ".unhealthyThreshold must be at least 1 (was '0').",
                Prefix + ".healthyThreshold must be at least 1 (was '-1').",
                Prefix + ".tcp: Invalid value: http and tcp are both set; a health check is one or the other.",
                Prefix + ".http.path: Invalid value: 'healthz': must be an absolute path starting with '/' (a query is allowed; no spaces, no fragment).",
                Prefix + ".http.method: Unsupported value: 'CONNECT': supported values: GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, PATCH.",
                Prefix + ".http.expectedStatuses[0].start must be between 100 and 599 (was '99').",
                Prefix + ".http.expectedStatuses[1].end must be greater than start (200) and at most 600, as the range excludes it (was '200').",
                Prefix + ".http.headers.Host: Forbidden: checks carry the service host as their Host, like real traffic.",
            ],
            findings.Where(d => d.IsError).Select(d => d.Message));
    }

    [Fact]
    public void Validate_NeitherHttpNorTcp_IsAnError()
    {
        var finding = Assert.Single(Validate(static _ => { }));

        Assert.Equal(Prefix + ": Required value: set http (a request whose status is checked) or tcp (a connection).", finding.Message);
        Assert.Equal("healthCheck", finding.FieldPath);
    }

    [Fact]
    public void Validate_ResolutionNone_WarnsThatNothingIsChecked()
    {
        var findings = Validate(static c => c.Tcp = new TcpHealthCheckOptions(), ServiceResolution.None);

        var warning = Assert.Single(findings);
        Assert.False(warning.IsError);
        Assert.Equal(Prefix + " has no effect: resolution NONE has no endpoints known in advance to check.", warning.Message);
    }

    [Fact]
    public async Task SendAsync_EndpointFailingChecks_GetsNoRequests_AndAllDownIs503UH()
    {
        var time = new FakeTimeProvider();
        var down = new HashSet<string>();
        var handler = new RecordingHandler((request, _) =>
        {
            request.Options.TryGetValue(MeshHarness.TargetKey, out var target);
            var failing = request.RequestUri!.AbsolutePath == "/healthz" && down.Contains(target!);
            return Task.FromResult(new HttpResponseMessage(failing ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        });
        using var harness = new MeshHarness(
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddMeshExternalService("api.example.com", s =>
                {
                    MeshHarness.Static(s, 80, "10.0.0.1", "10.0.0.2");
                    s.HealthCheck = new HealthCheckOptions
                    {
                        IntervalJitter = TimeSpan.Zero,
                        UnhealthyThreshold = 2,
                        Http = new HttpHealthCheckOptions { Path = "/healthz" },
                    };
                });
            },
            handler);
        var client = harness.CreateClient();
        using (var first = await client.GetAsync("http://api.example.com/", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode); // builds the cluster: its checks start
        }

        down.Add("10.0.0.2:80");
        time.Advance(TimeSpan.FromMilliseconds(1));
        time.Advance(TimeSpan.FromSeconds(10));

        var seen = handler.Seen.Count;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("10.0.0.1:80", await harness.EndpointOfAsync("http://api.example.com/"));
        }

        down.Add("10.0.0.1:80");
        time.Advance(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));
        using var response = await client.GetAsync("http://api.example.com/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(MeshResponseFlags.NoHealthyUpstream, response.GetMeshResult()!.Flags);
        var cluster = harness.Runtime.GetClusters().Single(c => c.ServiceName == "api.example.com");
        Assert.All(cluster.Endpoints, e => Assert.Equal(0, e.Failures)); // checks are not counted as requests
        Assert.True(handler.Seen.Count > seen);
    }

    private static MeshOptions Bind(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<MeshOptions>>().Value;
    }

    private static List<MeshConfigurationDiagnostic> Validate(Action<HealthCheckOptions> configure, ServiceResolution resolution = ServiceResolution.Static)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        service.Resolution = resolution;
        service.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        if (resolution == ServiceResolution.Static)
        {
            service.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1"));
        }

        service.HealthCheck = new HealthCheckOptions();
        configure(service.HealthCheck);
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options);
    }
}
