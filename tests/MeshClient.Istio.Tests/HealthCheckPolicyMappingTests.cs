using MeshClient.Configuration;
using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

[Trait("Area", "ActiveHealth")]
public sealed class HealthCheckPolicyMappingTests
{
    private static readonly string Service = IstioYaml.ServiceEntry("api", "api.example.com", IstioYaml.Https443, endpoints: ["10.0.0.1", "10.0.0.2"]) + IstioYaml.Next;

    [Fact]
    public void LoadYaml_HealthCheckPolicy_MapsEveryFieldToTheServiceWithItsHost()
    {
        var policy = IstioYaml.HealthCheckPolicy("api-health", """
            host: api.example.com
            interval: 5s
            intervalJitter: 500ms
            timeout: 2s
            unhealthyThreshold: 4
            healthyThreshold: 3
            noTrafficUntilHealthy: true
            http:
              path: /healthz?deep=1
              method: HEAD
              expectedStatuses: [{start: 200, end: 300}, {start: 429, end: 430}]
              headers: {x-probe: mesh}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Validate());
        Assert.Equal(IstioResourceStatus.Mapped, result.Resources[1].Status);
        var check = Assert.Single(result.Options.ExternalServices).HealthCheck!;
        Assert.Equal(TimeSpan.FromSeconds(5), check.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), check.IntervalJitter);
        Assert.Equal(TimeSpan.FromSeconds(2), check.Timeout);
        Assert.Equal(4, check.UnhealthyThreshold);
        Assert.Equal(3, check.HealthyThreshold);
        Assert.True(check.NoTrafficUntilHealthy);
        Assert.Equal("/healthz?deep=1", check.Http!.Path);
        Assert.Equal("HEAD", check.Http.Method);
        Assert.Equal([(200, 300), (429, 430)], check.Http.ExpectedStatuses.Select(r => (r.Start, r.End)));
        Assert.Equal("mesh", check.Http.Headers["x-probe"]);
        Assert.Null(check.Tcp);
    }

    [Fact]
    public void LoadYaml_TcpCheck_DefaultsForTheRest()
    {
        const string Policy = "apiVersion: meshclient.io/v1alpha1\nkind: HealthCheckPolicy\nmetadata: {name: h}\nspec:\n  host: api.example.com\n  tcp: {}\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + Policy, "mesh.yaml");

        Assert.Empty(result.Diagnostics);
        var check = Assert.Single(result.Options.ExternalServices).HealthCheck!;
        Assert.NotNull(check.Tcp);
        Assert.Null(check.Http);
        Assert.Equal(HealthCheckDefaults.Interval, check.Interval);
        Assert.Equal(HealthCheckDefaults.HealthyThreshold, check.HealthyThreshold);
    }

    [Fact]
    public void LoadYaml_InvalidPolicy_RejectedWithEveryErrorAtItsFieldPath()
    {
        var policy = IstioYaml.HealthCheckPolicy("bad", """
            host: api.example.com
            interval: soon
            unhealthyThreshold: 0
            http:
              path: healthz
              expectedStatuses: [{start: 200, end: 100}]
            tcp: {}
            retries: 3
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Null(Assert.Single(result.Options.ExternalServices).HealthCheck);
        // A value that cannot be read (and an unknown field) stop before the core rules.
        Assert.Equal(
            [("spec.retries", "mesh.yaml:21:3"), ("spec.interval", "mesh.yaml:15:13")],
            result.Diagnostics.Where(d => d.IsError).Select(d => (d.FieldPath, d.Location)));
    }

    [Fact]
    public void LoadYaml_PolicyBreakingCoreRules_ReportsEachAtItsSpecPath()
    {
        var policy = IstioYaml.HealthCheckPolicy("bad", """
            host: api.example.com
            unhealthyThreshold: 0
            http:
              path: healthz
              expectedStatuses: [{start: 200, end: 100}]
            tcp: {}
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Equal(
            [
                ("spec.unhealthyThreshold", "mesh.yaml:15:23", "spec.unhealthyThreshold must be at least 1 (was '0')."),
                ("spec.tcp", "mesh.yaml:19:8", "spec.tcp: Invalid value: http and tcp are both set; a health check is one or the other."),
                ("spec.http.path", "mesh.yaml:17:11", "spec.http.path: Invalid value: 'healthz': must be an absolute path starting with '/' (a query is allowed; no spaces, no fragment)."),
                ("spec.http.expectedStatuses[0].end", "mesh.yaml:18:42", "spec.http.expectedStatuses[0].end must be greater than start (200) and at most 600, as the range excludes it (was '100')."),
            ],
            result.Diagnostics.Select(d => (d.FieldPath, d.Location, d.Message)));
    }

    [Fact]
    public void LoadYaml_NoCheck_IsAnError()
    {
        const string Policy = "apiVersion: meshclient.io/v1alpha1\nkind: HealthCheckPolicy\nmetadata: {name: h}\nspec:\n  host: api.example.com\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + Policy, "mesh.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("spec", error.FieldPath);
        Assert.Equal("spec: Required value: set http (a request whose status is checked) or tcp (a connection).", error.Message);
    }

    [Fact]
    public void LoadYaml_UnknownHostAndSecondPolicy_Warned()
    {
        var policies = IstioYaml.Stream(
            IstioYaml.HealthCheckPolicy("first", "{host: api.example.com, tcp: {}}"),
            IstioYaml.HealthCheckPolicy("second", "{host: api.example.com, http: {path: /}}"),
            IstioYaml.HealthCheckPolicy("other", "{host: other.example.com, tcp: {}}"));

        var result = IstioConfigurationLoader.LoadYaml(Service + policies, "mesh.yaml");

        Assert.NotNull(Assert.Single(result.Options.ExternalServices).HealthCheck!.Tcp); // the first wins
        Assert.Equal(2, result.Diagnostics.Count);
        Assert.All(result.Diagnostics, d => Assert.False(d.IsError));
        Assert.Contains("already takes its health checks from HealthCheckPolicy", result.Diagnostics[0].Message);
        Assert.Contains("'other.example.com' matches no ServiceEntry host", result.Diagnostics[1].Message);
    }

    [Fact]
    public void Validate_Tool_ReportsHealthCheckPolicyErrorsWithFieldPaths()
    {
        using var folder = new TempFolder();
        var file = folder.Write("meshclient-health.yaml", Service + IstioYaml.HealthCheckPolicy("h", "host: api.example.com\nhealthyThreshold: 0\ntcp: {}\n"));

        var run = ToolRun.Validate(file);

        Assert.Equal(Program.ErrorsFound, run.Code);
        Assert.Contains($"Error [{file}:", run.Output);
        Assert.Contains("HealthCheckPolicy h: spec.healthyThreshold must be at least 1 (was '0').", run.Output);
    }

    [Fact]
    public void LoadYaml_OtherApiVersion_Rejected()
    {
        const string Policy = "apiVersion: meshclient.io/v1\nkind: HealthCheckPolicy\nmetadata: {name: h}\nspec: {host: api.example.com, tcp: {}}\n";

        var result = IstioConfigurationLoader.LoadYaml(Service + Policy, "mesh.yaml");

        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);
        Assert.Equal("apiVersion: Unsupported value: 'meshclient.io/v1': HealthCheckPolicy is served as meshclient.io/v1alpha1.", Assert.Single(result.Diagnostics).Message);
    }
}
