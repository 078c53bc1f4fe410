namespace MeshClient.Istio.Tests;

/// <summary>Issue 20, defect 8: one error per field, with the value as written, cut when long.</summary>
[Trait("Area", "Reliability")]
public sealed class IstioMessagesTests
{
    private static string Entry(string port, string extra = "") => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {"{"}name: api{"}"}
        spec:
          hosts: [api.example.com]
          ports: [{"{"}number: {port}, name: http{"}"}]
        {extra}
        """;

    [Fact]
    public void Validate_PortBeyondInt32_ReportedWithTheValueAsWritten()
    {
        var findings = IstioConfigurationLoader.LoadYaml(Entry("4294967376"), "se.yaml").Validate();

        Assert.Equal(
            "Error [se.yaml:6:20] ServiceEntry api: spec.ports[0].number port must be between 1-65535 (was '4294967376').",
            Assert.Single(findings, static f => f.IsError).ToString());
    }

    [Fact]
    public void Validate_UnparseablePort_OneErrorForTheField()
    {
        var findings = IstioConfigurationLoader.LoadYaml(Entry("eighty"), "se.yaml").Validate();

        Assert.Equal(
            "Error [se.yaml:6:20] ServiceEntry api: spec.ports[0].number: Invalid value: 'eighty' is not an integer.",
            Assert.Single(findings, static f => f.IsError).ToString());
    }

    [Fact]
    public void Validate_UnparseablePortOfAnEntryWithoutHosts_OneErrorForTheField()
    {
        var yaml = Entry("eighty").Replace("hosts: [api.example.com]", "hosts: []", StringComparison.Ordinal);

        var errors = IstioConfigurationLoader.LoadYaml(yaml, "se.yaml").Validate().Where(static f => f.IsError).Select(static f => f.FieldPath).ToList();

        Assert.Equal(["spec.ports[0].number", "spec.hosts"], errors);
    }

    [Fact]
    public void Validate_MegabyteValues_MessagesStayShort()
    {
        var host = new string('h', 1_000_000) + ".example.com";
        var yaml = Entry("80").Replace("api.example.com", host, StringComparison.Ordinal)
            + $"  resolution: {new string('R', 100_000)}\n";

        var findings = IstioConfigurationLoader.LoadYaml(yaml, "se.yaml").Validate();

        Assert.NotEmpty(findings);
        Assert.All(findings, static f => Assert.InRange(f.ToString().Length, 1, 1000));
        Assert.Contains(findings, static f => f.Message.StartsWith("spec.resolution: Unsupported value: '" + new string('R', 100) + "…'", StringComparison.Ordinal));
    }
}
