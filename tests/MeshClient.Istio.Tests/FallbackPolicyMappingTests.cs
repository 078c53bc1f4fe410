using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Fallback")]
public sealed class FallbackPolicyMappingTests
{
    private const string Service = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: default}
        spec:
          hosts: [api.example.com]
          resolution: STATIC
          ports: [{number: 443, name: https, protocol: HTTPS}]
          endpoints: [{address: 10.0.0.1}]
        ---

        """;

    [Fact]
    public void LoadYaml_HostOnly_PolicyWithDefaults()
    {
        const string Policy = """
            apiVersion: meshclient.io/v1alpha1
            kind: FallbackPolicy
            metadata: {name: api-fallback, namespace: default}
            spec:
              host: api.example.com
            """;

        var result = IstioConfigurationLoader.LoadYaml(Service + Policy, "mesh.yaml");

        Assert.Empty(result.Validate());
        var fallback = Assert.Single(result.Options.ExternalServices).Fallback!;
        Assert.Equal(TimeSpan.FromMinutes(5), fallback.Ttl);
        Assert.Equal(TimeSpan.FromHours(1), fallback.MaxStale);
        Assert.Equal(1024 * 1024, fallback.MaxBodyBytes);
        Assert.Equal(1000, fallback.MaxEntries);
        Assert.Equal(
            MeshResponseFlags.NoHealthyUpstream | MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamOverflow
                | MeshResponseFlags.UpstreamRequestTimeout | MeshResponseFlags.UpstreamRetryLimitExceeded | MeshResponseFlags.UpstreamConnectionTermination | MeshResponseFlags.DnsResolutionFailure,
            fallback.OnFlags);
        Assert.Equal(IstioResourceStatus.Mapped, result.Resources[1].Status);
    }

    [Fact]
    public void LoadYaml_EveryField_Mapped()
    {
        var policy = IstioYaml.FallbackPolicy("api-fallback", """
            host: API.example.com
            ttl: 30s
            maxStale: 10m
            onFlags: [UF, URX]
            statusCodes: [500, 503]
            methods: [get, POST]
            varyHeaders: [Accept-Language]
            maxBodyBytes: 2048
            maxEntries: 200
            cacheAuthorizedRequests: true
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        Assert.Empty(result.Validate());
        var fallback = Assert.Single(result.Options.ExternalServices).Fallback!;
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10)), (fallback.Ttl, fallback.MaxStale));
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure | MeshResponseFlags.UpstreamRetryLimitExceeded, fallback.OnFlags);
        Assert.Equal([500, 503], fallback.StatusCodes);
        Assert.Equal(["GET", "POST"], fallback.Methods);
        Assert.Equal(["Accept-Language"], fallback.VaryHeaders);
        Assert.Equal(2048, fallback.MaxBodyBytes);
        Assert.Equal(200, fallback.MaxEntries);
        Assert.True(fallback.CacheAuthorizedRequests);
    }

    [Fact]
    public void LoadYaml_BadValues_ErrorsWithFieldPathsAndNotApplied()
    {
        var policy = IstioYaml.FallbackPolicy("bad", """
            host: api.example.com
            ttl: soon
            onFlags: [UF, XX]
            statusCodes: [700]
            maxBodyBytes: -1
            methods: ["GE T"]
            retries: 3
            maxEntries: 0
            """);

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        Assert.Equal(
            [
                "mesh.yaml:20:3 FallbackPolicy bad: spec.retries: unknown field",
                "mesh.yaml:15:8 FallbackPolicy bad: spec.ttl: Invalid value: 'soon': not a duration",
                "mesh.yaml:16:17 FallbackPolicy bad: spec.onFlags: Unsupported value: 'XX'",
                "mesh.yaml:18:17 FallbackPolicy bad: spec.maxBodyBytes must not be negative (was '-1').",
                "mesh.yaml:21:15 FallbackPolicy bad: spec.maxEntries must be at least 1 (was '0').",
                "mesh.yaml:17:17 FallbackPolicy bad: spec.statusCodes[0] must be an HTTP status code between 100 and 599 (was '700').",
                "mesh.yaml:19:13 FallbackPolicy bad: spec.methods[0] 'GE T' is not an HTTP method.",
            ],
            result.Validate().Where(d => d.IsError).Select(d => $"{d.Location} {d.Resource!.Kind} {d.Resource.DisplayName}: {d.FieldPath}: {d.Message}").Select(Shorten).ToArray());
        Assert.Null(Assert.Single(result.Options.ExternalServices).Fallback);
        Assert.Equal(IstioResourceStatus.Rejected, result.Resources[1].Status);

        // Loader messages start with the field path; keep the path and what identifies the problem.
        static string Shorten(string line)
        {
            var parts = line.Split(": ", 3);
            return $"{parts[0]}: {Cut(parts[2])}";
        }

        static string Cut(string message) =>
            message.StartsWith("spec.retries", StringComparison.Ordinal) ? "spec.retries: unknown field"
            : message.Contains(": not a duration", StringComparison.Ordinal) ? message[..(message.IndexOf(": not a duration", StringComparison.Ordinal) + 16)]
            : message.Contains(": supported values", StringComparison.Ordinal) ? message[..message.IndexOf(": supported values", StringComparison.Ordinal)]
            : message;
    }

    [Fact]
    public void LoadYaml_HostWithoutServiceEntry_Warning()
    {
        var policy = IstioYaml.FallbackPolicy("other", "{host: other.example.com}");

        var result = IstioConfigurationLoader.LoadYaml(Service + policy, "mesh.yaml");

        var warning = Assert.Single(result.Validate());
        Assert.False(warning.IsError);
        Assert.Equal("spec.host", warning.FieldPath);
        Assert.Contains("matches no ServiceEntry host, so the FallbackPolicy has no effect", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadYaml_TwoPoliciesForOneHost_FirstWinsWithWarning()
    {
        var policies = IstioYaml.Stream(
            IstioYaml.FallbackPolicy("first", "{host: api.example.com, ttl: 1m}"),
            IstioYaml.FallbackPolicy("second", "{host: api.example.com, ttl: 2m}"));

        var result = IstioConfigurationLoader.LoadYaml(Service + policies, "mesh.yaml");

        Assert.Equal(TimeSpan.FromMinutes(1), Assert.Single(result.Options.ExternalServices).Fallback!.Ttl);
        Assert.Contains("already takes its fallback from FallbackPolicy first", Assert.Single(result.Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadYaml_NoSpec_Required()
    {
        var result = IstioConfigurationLoader.LoadYaml("apiVersion: meshclient.io/v1alpha1\nkind: FallbackPolicy\nmetadata: {name: x}\n", "mesh.yaml");

        Assert.Contains("spec: Required value: a FallbackPolicy needs a spec with a host.", Assert.Single(result.Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Tool_ReportsFallbackPolicyErrorsWithFieldPaths()
    {
        using var folder = new TempFolder();
        var file = folder.Write("mesh.yaml", Service + "apiVersion: meshclient.io/v1alpha1\nkind: FallbackPolicy\nmetadata: {name: api, namespace: default}\nspec:\n  host: api.example.com\n  maxBodyBytes: -5\n");

        var run = ToolRun.Validate(file);

        Assert.Equal(Program.ErrorsFound, run.Code);
        var lines = run.Output.TrimEnd().Split(Environment.NewLine);
        Assert.Equal($"Error [{file}:15:17] FallbackPolicy default/api: spec.maxBodyBytes must not be negative (was '-5').", lines[0]);
        Assert.StartsWith("Error: 1 file(s), 2 object(s)", lines[^1], StringComparison.Ordinal);
    }
}
