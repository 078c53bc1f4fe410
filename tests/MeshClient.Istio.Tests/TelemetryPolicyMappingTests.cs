using MeshClient.Configuration;
using MeshClient.Tool;

namespace MeshClient.Istio.Tests;

/// <summary>MeshClient's <c>meshclient.io/v1alpha1 TelemetryPolicy</c> kind: the mesh's telemetry settings, or a service's propagation.</summary>
[Trait("Area", "Telemetry")]
public sealed class TelemetryPolicyMappingTests
{
    private static readonly string Entries = IstioYaml.Stream(
        IstioYaml.ServiceEntry("api", "api.example.com", IstioYaml.Https443, "DNS"),
        IstioYaml.ServiceEntry("partner", "partner.example.org", IstioYaml.Https443, "DNS")) + IstioYaml.Next;

    private static readonly string Policies = IstioYaml.Stream(
        IstioYaml.TelemetryPolicy("mesh", """
            host: "*"
            sourceWorkload: checkout
            sourceWorkloadNamespace: shop
            istioCompatibleMetrics: true
            generateRequestId: false
            includeAttemptCount: false
            endpointLabels: true
            propagation: [W3C, b3multi]
            """),
        IstioYaml.TelemetryPolicy("partner", """
            host: partner.example.org
            propagation: [None]
            """));

    [Fact]
    public void LoadYaml_MeshWideAndPerService_Mapped()
    {
        var result = IstioConfigurationLoader.LoadYaml(Entries + Policies, "telemetry.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.All(result.Resources, r => Assert.Equal(IstioResourceStatus.Mapped, r.Status));
        var target = new MeshOptions();
        result.ApplyTo(target);
        var telemetry = target.Telemetry;
        Assert.Equal(("checkout", "shop"), (telemetry.SourceWorkload, telemetry.SourceWorkloadNamespace));
        Assert.True(telemetry.IstioCompatibleMetrics);
        Assert.False(telemetry.GenerateRequestId);
        Assert.False(telemetry.IncludeAttemptCount);
        Assert.True(telemetry.EndpointLabels);
        Assert.Equal(TracePropagation.W3C | TracePropagation.B3Multi, telemetry.Propagation);
        Assert.Equal(TracePropagation.None, target.ExternalServices.Single(s => s.Hosts.Contains("partner.example.org")).TracePropagation);
        Assert.Null(target.ExternalServices.Single(s => s.Hosts.Contains("api.example.com")).TracePropagation);
        Assert.Empty(result.Validate());
    }

    [Fact]
    public void LoadYaml_MeshWide_FieldsNotSetKeepTheirValues()
    {
        var partial = IstioYaml.TelemetryPolicy("mesh", """{host: "*", sourceWorkload: checkout}""");
        var target = new MeshOptions();
        target.Telemetry.IstioCompatibleMetrics = true;

        IstioConfigurationLoader.LoadYaml(Entries + partial, "telemetry.yaml").ApplyTo(target);

        Assert.Equal("checkout", target.Telemetry.SourceWorkload);
        Assert.True(target.Telemetry.IstioCompatibleMetrics);
        Assert.True(target.Telemetry.IncludeAttemptCount);
        Assert.Equal(TracePropagation.W3C, target.Telemetry.Propagation);
    }

    [Fact]
    public void LoadYaml_Invalid_RejectedWithFieldPaths_EveryError()
    {
        var invalid = IstioYaml.TelemetryPolicy("bad", """
            host: api.example.com
            sourceWorkload: checkout
            istioCompatibleMetrics: maybe
            includeAttemptCount: no-thanks
            propagation: [W3C, jaeger]
            sampling: 10
            """);

        var result = IstioConfigurationLoader.LoadYaml(Entries + invalid, "telemetry.yaml");

        var resource = result.Resources.Single(r => r.Kind == "TelemetryPolicy");
        Assert.Equal(IstioResourceStatus.Rejected, resource.Status);
        var errors = result.Diagnostics.Where(d => d.IsError && d.Resource == resource).Select(d => (d.FieldPath, d.Message)).ToArray();
        Assert.Equal(
            [
                ("spec.sampling", "spec.sampling: unknown field \"sampling\": it is not part of the Istio TelemetryPolicy API."),
                ("spec.sourceWorkload", "spec.sourceWorkload applies to the whole mesh (host \"*\") only; a service's TelemetryPolicy sets propagation."),
                ("spec.istioCompatibleMetrics", "spec.istioCompatibleMetrics applies to the whole mesh (host \"*\") only; a service's TelemetryPolicy sets propagation."),
                ("spec.includeAttemptCount", "spec.includeAttemptCount applies to the whole mesh (host \"*\") only; a service's TelemetryPolicy sets propagation."),
                ("spec.istioCompatibleMetrics", "spec.istioCompatibleMetrics: Invalid value: 'maybe': expected true or false."),
                ("spec.includeAttemptCount", "spec.includeAttemptCount: Invalid value: 'no-thanks': expected true or false."),
                ("spec.propagation[1]", "spec.propagation[1]: Unsupported value: 'jaeger': supported values: \"W3C\", \"B3Multi\", \"B3Single\", \"None\"."),
            ],
            errors);
        Assert.Null(result.Options.ExternalServices[0].TracePropagation);
    }

    [Fact]
    public void LoadYaml_BlankWorkloadAndNoneWithOthers_Errors()
    {
        var invalid = IstioYaml.TelemetryPolicy("bad", """
            host: "*"
            sourceWorkload: "  "
            propagation: [None, W3C]
            """);

        var result = IstioConfigurationLoader.LoadYaml(invalid, "telemetry.yaml");

        var errors = result.Diagnostics.Where(d => d.IsError).Select(d => (d.FieldPath, d.Message)).ToArray();
        Assert.Contains(("spec.propagation", "spec.propagation: None cannot be combined with other formats."), errors);
        Assert.Contains(("spec.sourceWorkload", "spec.sourceWorkload must not be empty or blank: leave it unset for 'unknown'."), errors);
        Assert.Equal(MeshTelemetryOptionsDefaults(), result.Options.Telemetry.SourceWorkload);

        static string? MeshTelemetryOptionsDefaults() => new MeshTelemetryOptions().SourceWorkload;
    }

    [Fact]
    public void LoadYaml_UnknownHostAndSecondMeshWide_Warned()
    {
        const string More = """
            ---
            apiVersion: meshclient.io/v1alpha1
            kind: TelemetryPolicy
            metadata: {name: nowhere}
            spec: {host: nowhere.example.net, propagation: [B3Single]}
            ---
            apiVersion: meshclient.io/v1alpha1
            kind: TelemetryPolicy
            metadata: {name: second}
            spec: {host: "*", sourceWorkload: other}
            """;

        var result = IstioConfigurationLoader.LoadYaml(Entries + Policies + "\n" + More, "telemetry.yaml");

        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        Assert.Contains(result.Diagnostics, d => d.Resource?.Name == "nowhere" && d.Message == "spec.host 'nowhere.example.net' matches no ServiceEntry host, so the TelemetryPolicy has no effect (use \"*\" for the whole mesh).");
        Assert.Contains(result.Diagnostics, d => d.Resource?.Name == "second" && d.Message == "spec.host '*': an earlier TelemetryPolicy already sets the mesh's telemetry; the first one wins.");
        Assert.Equal("checkout", result.Options.Telemetry.SourceWorkload);
    }

    [Fact]
    public void LoadYaml_OtherApiVersion_Rejected()
    {
        var result = IstioConfigurationLoader.LoadYaml(Policies.Replace("v1alpha1", "v2", StringComparison.Ordinal), "telemetry.yaml");

        Assert.Contains(result.Diagnostics, d => d.IsError && d.FieldPath == "apiVersion" && d.Message == "apiVersion: Unsupported value: 'meshclient.io/v2': TelemetryPolicy is meshclient.io/v1alpha1.");
    }

    [Fact]
    public void Validate_Tool_AcceptsTelemetryPolicyObjects()
    {
        using var folder = new TempFolder();
        var file = folder.Write("telemetry.yaml", Entries + Policies);

        var run = ToolRun.Validate(file);

        Assert.True(run.Code == Program.Success, run.Output + run.Error);
        Assert.StartsWith("OK: 1 file(s), 4 object(s)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Tool_RejectsAnInvalidTelemetryPolicy_NamingTheField()
    {
        using var folder = new TempFolder();
        var file = folder.Write("telemetry.yaml", Entries + Policies.Replace("[None]", "[zipkin]", StringComparison.Ordinal));

        var run = ToolRun.Validate(file);

        Assert.NotEqual(Program.Success, run.Code);
        Assert.Contains("spec.propagation[0]", run.Output + run.Error, StringComparison.Ordinal);
    }
}
