using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Retries")]
public sealed class RetryPolicyMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", endpoints: ["10.0.0.1", "10.0.0.2"]) + IstioYaml.Next;

    private static readonly string Routes = IstioYaml.VirtualService("api", "api.example.com", """
        http:
        - name: orders
          match: [{uri: {prefix: /orders}}]
          route: [{destination: {host: api.example.com}}]
          retries: {attempts: 4, retryOn: 5xx, perTryTimeout: 2s}
        - name: off
          match: [{uri: {prefix: /off}}]
          route: [{destination: {host: api.example.com}}]
          retries: {attempts: 0}
        - name: rest
          route: [{destination: {host: api.example.com}}]
        """) + IstioYaml.Next;

    private static readonly string Policy = IstioYaml.RetryPolicy("api-retries", """
        host: api.example.com
        retryNonIdempotent: true
        honorRetryAfter: true
        maxRequestBufferBytes: 65536
        hedging: {delay: 50ms, maxAttempts: 3}
        retryBudget: {tokenRatio: 0.5, minRetriesPerSecond: 4, tokenTtl: 20s}
        """);

    [Fact]
    public void LoadYaml_RetryPolicyWithoutVirtualService_CompletesIstiosDefaultPolicyOfTheServiceRoute()
    {
        var result = IstioConfigurationLoader.LoadYaml(Service + Policy, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Validate());
        Assert.Equal(IstioResourceStatus.Mapped, result.Resources[1].Status);
        var service = Assert.Single(result.Options.ExternalServices);
        var retries = service.Route.Retries!;
        Assert.Equal((2, null), (retries.Attempts, retries.RetryOn)); // Istio's default policy, stated explicitly
        Assert.Equal((true, true, 65536L), (retries.RetryNonIdempotent, retries.HonorRetryAfter, retries.MaxRequestBufferBytes));
        Assert.Equal((TimeSpan.FromMilliseconds(50), 3), (retries.Hedging!.Delay, retries.Hedging.MaxAttempts));
        var budget = service.TrafficPolicy.RetryBudget!;
        Assert.Equal((0.5, 4, TimeSpan.FromSeconds(20), (double?)null), (budget.TokenRatio, budget.MinRetriesPerSecond, budget.TokenTtl, budget.Percent));
    }

    [Fact]
    public void LoadYaml_RetryPolicyWithVirtualService_SupplementsEveryRouteThatRetries_AttemptsZeroStaysOffWarned()
    {
        var onlyNonIdempotent = IstioYaml.RetryPolicy("api-retries", "{host: api.example.com, retryNonIdempotent: true}");

        var result = IstioConfigurationLoader.LoadYaml(Service + Routes + onlyNonIdempotent, "mesh.yaml");

        Assert.Equal(
            ["Warning [mesh.yaml:30:14] RetryPolicy api-retries: spec.host 'api.example.com': route off of ServiceEntry api turns retries off (retries.attempts 0), so the RetryPolicy does not apply to it."],
            result.Diagnostics.Select(d => d.ToString()));
        var http = Assert.Single(result.Options.ExternalServices).Http;
        Assert.Equal(["orders", "off", "rest"], http.Select(r => r.Name));
        var orders = http[0].Retries!;
        Assert.Equal((4, "5xx", TimeSpan.FromSeconds(2)), (orders.Attempts, orders.RetryOn, orders.PerTryTimeout)); // the VirtualService's own fields stay
        Assert.True(orders.RetryNonIdempotent);
        Assert.False(orders.HonorRetryAfter); // not set by the policy: the default
        Assert.Null(orders.Hedging);
        Assert.Equal((0, false), (http[1].Retries!.Attempts, http[1].Retries!.RetryNonIdempotent));
        Assert.Equal((2, true), (http[2].Retries!.Attempts, http[2].Retries!.RetryNonIdempotent)); // no retries in the VirtualService: Istio's default, completed
        Assert.Equal("/orders", http[0].Match[0].Uri!.Prefix); // the rest of the route is kept
        Assert.Single(result.Validate()); // the warning above, and no core finding
    }

    [Fact]
    public void LoadYaml_DestinationRuleRetryBudget_KeepsItsPercentAndGainsTheTokenBudget()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy: {retryBudget: {percent: {value: 30}, minRetryConcurrency: 5}}
            """) + IstioYaml.Next;
        var budgetPolicy = IstioYaml.RetryPolicy("budget", "{host: api.example.com, retryBudget: {tokenRatio: 0.1}}");

        var result = IstioConfigurationLoader.LoadYaml(Service + rule + budgetPolicy, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var budget = Assert.Single(result.Options.ExternalServices).TrafficPolicy.RetryBudget!;
        Assert.Equal((30d, 5, 0.1, 10, TimeSpan.FromSeconds(10)), (budget.Percent, budget.MinRetryConcurrency, budget.TokenRatio, budget.MinRetriesPerSecond, budget.TokenTtl));
    }

    [Fact]
    public void LoadYaml_SubsetWithItsOwnRetryBudget_GainsTheTokenBudgetToo()
    {
        var rule = IstioYaml.DestinationRule("api", "api.example.com", """
            trafficPolicy: {retryBudget: {percent: {value: 30}}}
            subsets:
            - name: v1
              labels: {version: v1}
              trafficPolicy: {retryBudget: {percent: {value: 50}, minRetryConcurrency: 2}}
            - name: v2
              labels: {version: v2}
            """) + IstioYaml.Next;
        var budgetPolicy = IstioYaml.RetryPolicy("budget", "{host: api.example.com, retryBudget: {tokenRatio: 0.2, minRetriesPerSecond: 3}}");

        var result = IstioConfigurationLoader.LoadYaml(Service + rule + budgetPolicy, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var service = Assert.Single(result.Options.ExternalServices);
        var v1 = service.Subsets.Single(s => s.Name == "v1").TrafficPolicy!.RetryBudget!;
        Assert.Equal((50d, 2, 0.2, 3), (v1.Percent, v1.MinRetryConcurrency, v1.TokenRatio, v1.MinRetriesPerSecond));
        Assert.Null(service.Subsets.Single(s => s.Name == "v2").TrafficPolicy?.RetryBudget); // inherits the rule's, which has the tokens
        Assert.Equal((30d, 0.2), (service.TrafficPolicy.RetryBudget!.Percent, service.TrafficPolicy.RetryBudget.TokenRatio));
    }

    [Fact]
    public void LoadYaml_InvalidRetryPolicy_RejectedWithEveryErrorAtItsFieldPath()
    {
        var bad = IstioYaml.RetryPolicy("bad", """
            retryNonIdempotent: yes please
            honorRetryAfter: sometimes
            maxRequestBufferBytes: lots
            hedging: {delay: soon, maxAttempt: 3}
            retryBudget: {tokenTtl: 0.5ms}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + bad, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Null(Assert.Single(result.Options.ExternalServices).Route.Retries);
        Assert.Equal(
            [
                "Error [mesh.yaml:17:26] RetryPolicy bad: spec.hedging.maxAttempt: unknown field \"maxAttempt\": it is not part of the Istio RetryPolicy API.",
                "Error [mesh.yaml:14:3] RetryPolicy bad: spec.host: Required value: a RetryPolicy needs the host of the service it applies to.",
                "Error [mesh.yaml:14:23] RetryPolicy bad: spec.retryNonIdempotent: Invalid value: 'yes please': expected true or false.",
                "Error [mesh.yaml:15:20] RetryPolicy bad: spec.honorRetryAfter: Invalid value: 'sometimes': expected true or false.",
                "Error [mesh.yaml:16:26] RetryPolicy bad: spec.maxRequestBufferBytes: Invalid value: 'lots' is not an integer.",
                "Error [mesh.yaml:17:20] RetryPolicy bad: spec.hedging.delay: Invalid value: 'soon': not a duration (write it as Istio does, such as 10s, 1m or 500ms).",
                "Error [mesh.yaml:18:27] RetryPolicy bad: spec.retryBudget.tokenTtl: Invalid value: '0.5ms': duration must be greater than 1ms.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_OutOfRangeValues_CoreRulesAtThePolicysFields()
    {
        var bad = IstioYaml.RetryPolicy("bad", """
            host: api.example.com
            maxRequestBufferBytes: -1
            hedging: {maxAttempts: 9}
            retryBudget: {tokenRatio: 2000, minRetriesPerSecond: -3, tokenTtl: 90s}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + bad, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Null(Assert.Single(result.Options.ExternalServices).Route.Retries);
        Assert.Equal(
            [
                "Error [mesh.yaml:17:29] RetryPolicy bad: spec.retryBudget.tokenRatio: Invalid value: 2000: must be between 0 and 1000.",
                "Error [mesh.yaml:17:56] RetryPolicy bad: spec.retryBudget.minRetriesPerSecond: Invalid value: -3: must not be negative.",
                "Error [mesh.yaml:17:70] RetryPolicy bad: spec.retryBudget.tokenTtl: Invalid value: '90s': must be whole seconds between 1s and 60s.",
                "Error [mesh.yaml:15:26] RetryPolicy bad: spec.maxRequestBufferBytes: Invalid value: -1: must not be negative.",
                "Error [mesh.yaml:16:26] RetryPolicy bad: spec.hedging.maxAttempts: Invalid value: 9: must be between 2 and 5.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void LoadYaml_HostWithoutServiceEntry_ErrorNamingIt_SecondPolicyWarnedFirstWins()
    {
        var policies = IstioYaml.Stream(
            IstioYaml.RetryPolicy("first", "{host: api.example.com, honorRetryAfter: true}"),
            IstioYaml.RetryPolicy("second", "{host: api.example.com, honorRetryAfter: false}"),
            IstioYaml.RetryPolicy("other", "{host: other.example.com, retryNonIdempotent: true}"));

        var result = IstioConfigurationLoader.LoadYaml(Service + policies, "mesh.yaml");

        Assert.Equal(
            [
                "Error [mesh.yaml:23:14] RetryPolicy other: spec.host: Invalid value: 'other.example.com' matches no ServiceEntry host; a RetryPolicy applies to the hosts ServiceEntries declare.",
                "Warning [mesh.yaml:18:14] RetryPolicy second: spec.host 'api.example.com': ServiceEntry api already takes its retry settings from RetryPolicy first (mesh.yaml:10:1); the first one wins.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[3].Status);
        Assert.True(Assert.Single(result.Options.ExternalServices).Route.Retries!.HonorRetryAfter);
    }

    [Fact]
    public void LoadYaml_PolicyForOneHostOfASharedVirtualService_DoesNotReachTheOtherService()
    {
        const string Yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: a}
            spec: {hosts: [a.example.com], resolution: DNS, ports: [{number: 80, name: http, protocol: HTTP}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: b}
            spec: {hosts: [b.example.com], resolution: DNS, ports: [{number: 80, name: http, protocol: HTTP}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: both}
            spec:
              hosts: [a.example.com, b.example.com]
              http: [{retries: {attempts: 3}, route: [{destination: {host: a.example.com}}]}]
            ---
            apiVersion: meshclient.io/v1alpha1
            kind: RetryPolicy
            metadata: {name: b}
            spec: {host: b.example.com, retryNonIdempotent: true}
            """;

        var result = IstioConfigurationLoader.LoadYaml(Yaml, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var a = result.Options.ExternalServices.Single(s => s.Name == "a");
        var b = result.Options.ExternalServices.Single(s => s.Name == "b");
        Assert.False(a.Http[0].Retries!.RetryNonIdempotent);
        Assert.True(b.Http[0].Retries!.RetryNonIdempotent);
        Assert.Equal(3, b.Http[0].Retries!.Attempts);
    }

    [Fact]
    public void LoadYaml_OtherApiVersion_Rejected()
    {
        const string Other = "apiVersion: meshclient.io/v1\nkind: RetryPolicy\nmetadata: {name: p}\nspec: {host: api.example.com}\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + Other, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Equal("Error [mesh.yaml:10:13] RetryPolicy p: apiVersion: Unsupported value: 'meshclient.io/v1': RetryPolicy is served as meshclient.io/v1alpha1.", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Validate_Tool_ReadsRetryPolicyAndListsItInHelp()
    {
        using var folder = new TempFolder();
        var file = folder.Write("retry-policy.yaml", Service + IstioYaml.RetryPolicy("p", "{host: api.example.com, hedging: {maxAttempts: 1}}"));

        var run = ToolRun.Validate(file);
        var help = ToolRun.Help();

        Assert.Equal(Program.ErrorsFound, run.Code);
        Assert.Contains($"Error [{file}:13:", run.Output, StringComparison.Ordinal);
        Assert.Contains("RetryPolicy p: spec.hedging.maxAttempts: Invalid value: 1: must be between 2 and 5.", run.Output, StringComparison.Ordinal);
        Assert.Contains("RetryPolicy", help, StringComparison.Ordinal);
    }
}
