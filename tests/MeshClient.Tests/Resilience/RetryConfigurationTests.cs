using MeshClient.Configuration;
using MeshClient.Resilience;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;

namespace MeshClient.Tests.Resilience;

/// <summary>Retry options: Istio's validation rules with field paths, the warnings about surprising combinations, and appsettings binding.</summary>
[Trait("Area", "Retries")]
public sealed class RetryConfigurationTests
{
    private static List<MeshConfigurationDiagnostic> Validate(Action<ExternalServiceOptions> configure, Action<MeshOptions>? mesh = null)
    {
        var service = new ExternalServiceOptions { Name = "api.example.com" };
        service.Hosts.Add("api.example.com");
        MeshHarness.Static(service, 443, "10.0.0.1");
        configure(service);
        var options = new MeshOptions();
        mesh?.Invoke(options);
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options);
    }

    private static string[] Errors(List<MeshConfigurationDiagnostic> d) => d.Where(x => x.IsError).Select(x => x.Message).ToArray();

    private static string[] Warnings(List<MeshConfigurationDiagnostic> d) => d.Where(x => !x.IsError).Select(x => x.Message).ToArray();

    private static HttpRouteOptions Route(HttpRetryOptions retries, TimeSpan? timeout = null) => new()
    {
        Route = { new HttpRouteDestinationOptions { Destination = new DestinationOptions { Host = "api.example.com" } } },
        Retries = retries,
        Timeout = timeout,
    };

    [Fact]
    public void AttemptsZeroWithOtherFields_IsAnError()
    {
        var errors = Errors(Validate(s => s.Http.Add(Route(new HttpRetryOptions { Attempts = 0, RetryOn = "5xx" }))));

        Assert.Equal(["External service 'api.example.com': http[0].retries: Invalid value: http retry policy configured when attempts are set to 0 (disabled); remove the other retry fields or set attempts."], errors);
    }

    [Fact]
    public void InvalidFields_EachReportedWithItsPath()
    {
        var errors = Errors(Validate(s => s.Route.Retries = new HttpRetryOptions
        {
            Attempts = -1,
            RetryOn = "5xx,bogus,999",
            PerTryTimeout = TimeSpan.Zero,
            Backoff = TimeSpan.FromTicks(1),
            MaxRequestBufferBytes = -1,
            Hedging = new HttpHedgingOptions { MaxAttempts = 9 },
        }));

        Assert.Equal(
            [
                "External service 'api.example.com': route.retries.attempts: Invalid value: -1: attempts cannot be negative.",
                "External service 'api.example.com': route.retries.perTryTimeout duration must be greater than 1ms (was '0s').",
                "External service 'api.example.com': route.retries.backoff duration must be greater than 1ms (was '0.0000001s').",
                $"External service 'api.example.com': route.retries.retryOn: Invalid value: 'bogus' is not a valid retryOn value; use {RetryOn.Accepted}.",
                $"External service 'api.example.com': route.retries.retryOn: Invalid value: '999' is not a valid retryOn value; use {RetryOn.Accepted}.",
                "External service 'api.example.com': route.retries.maxRequestBufferBytes: Invalid value: -1: must not be negative.",
                "External service 'api.example.com': route.retries.hedging.maxAttempts: Invalid value: 9: must be between 2 and 5.",
            ],
            errors);
    }

    [Fact]
    public void PerTryTimeoutThatRetryOnCannotRetry_IsWarned()
    {
        var warnings = Warnings(Validate(s => s.Http.Add(Route(new HttpRetryOptions { PerTryTimeout = TimeSpan.FromSeconds(1) }))));

        Assert.Equal(["External service 'api.example.com': http[0].retries.perTryTimeout is set, but retryOn 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes' does not retry a per-try timeout (only 5xx, gateway-error and reset do, as in Envoy): an attempt that times out ends the request with 504 UT."], warnings);
    }

    [Fact]
    public void AttemptsTimesPerTryTimeoutBeyondTheRouteTimeout_IsWarned()
    {
        var warnings = Warnings(Validate(s => s.Http.Add(Route(new HttpRetryOptions { Attempts = 3, RetryOn = "5xx", PerTryTimeout = TimeSpan.FromSeconds(2) }, TimeSpan.FromSeconds(5)))));

        Assert.Equal(["External service 'api.example.com': http[0].retries.perTryTimeout: 4 attempts of up to 2s exceed the route timeout 5s, which bounds all attempts together: the last attempts may never run."], warnings);
    }

    [Fact]
    public void MeshDefaultAndBudget_AreValidated()
    {
        var diagnostics = Validate(
            s => s.TrafficPolicy.RetryBudget = new RetryBudgetOptions { Percent = 120, TokenRatio = -1, TokenTtl = TimeSpan.FromMilliseconds(1500) },
            m => m.DefaultRetryPolicy = new HttpRetryOptions { RetryOn = "nope" });

        Assert.Equal(
            [
                $"defaultRetryPolicy.retryOn: Invalid value: 'nope' is not a valid retryOn value; use {RetryOn.Accepted}.",
                "External service 'api.example.com': trafficPolicy.retryBudget.percent: Invalid value: 120: must be between 0 and 100.",
                "External service 'api.example.com': trafficPolicy.retryBudget.tokenRatio: Invalid value: -1: must be between 0 and 1000.",
                "External service 'api.example.com': trafficPolicy.retryBudget.tokenTtl: Invalid value: '1.5s': must be whole seconds between 1s and 60s.",
            ],
            Errors(diagnostics));
    }

    [Fact]
    public void Appsettings_RetriesBind_TimeSpansAndACommaRetryOn()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:DefaultRetryPolicy:Attempts"] = "1",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "STATIC",
            ["Mesh:ExternalServices:0:Ports:0:Number"] = "443",
            ["Mesh:ExternalServices:0:Ports:0:Name"] = "https",
            ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.1",
            ["Mesh:ExternalServices:0:TrafficPolicy:RetryBudget:Percent"] = "25",
            ["Mesh:ExternalServices:0:Http:0:Route:0:Destination:Host"] = "api.example.com",
            ["Mesh:ExternalServices:0:Http:0:Timeout"] = "00:00:10",
            ["Mesh:ExternalServices:0:Http:0:Retries:Attempts"] = "3",
            ["Mesh:ExternalServices:0:Http:0:Retries:PerTryTimeout"] = "00:00:02",
            ["Mesh:ExternalServices:0:Http:0:Retries:RetryOn"] = "gateway-error,connect-failure,409",
            ["Mesh:ExternalServices:0:Http:0:Retries:Backoff"] = "00:00:00.050",
            ["Mesh:ExternalServices:0:Http:0:Retries:RetryNonIdempotent"] = "true",
            ["Mesh:ExternalServices:0:Http:0:Retries:Hedging:Delay"] = "00:00:00.200",
            ["Mesh:ExternalServices:0:Http:0:Retries:Hedging:MaxAttempts"] = "3",
        }).Build();

        using var harness = MeshHarness.BoundTo(configuration);

        var policy = harness.Runtime.OnlyRoute().Definition.Retry!;
        Assert.Equal(3, policy.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.PerTryTimeout);
        Assert.Equal(RetryConditions.GatewayError | RetryConditions.ConnectFailure | RetryConditions.RetriableStatusCodes, policy.Conditions);
        Assert.Equal([409], policy.StatusCodes);
        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)), (policy.BaseBackoff, policy.MaxBackoff));
        Assert.True(policy.RetryNonIdempotent);
        Assert.Equal((TimeSpan.FromMilliseconds(200), 3), (policy.HedgingDelay, policy.HedgingMaxAttempts));
        Assert.Equal(25, harness.Runtime.GetClusters().Single(c => c.Key.Host == "api.example.com").RetryBudget.Settings!.Percent);
    }
}
