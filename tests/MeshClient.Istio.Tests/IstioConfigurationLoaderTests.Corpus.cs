using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Tests;

[Trait("Area", "Istio")]
public sealed partial class IstioConfigurationLoaderTests
{
    public static TheoryData<string, int> CorpusDocuments()
    {
        var data = new TheoryData<string, int>();
        foreach (var document in CorpusExpectations.All)
        {
            data.Add(document.File, document.Index);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusDocuments))]
    public void Load_CorpusDocument_HasTheExpectedOutcome(string file, int index)
    {
        var expected = CorpusExpectations.All.Single(d => d.File == file && d.Index == index);
        var result = IstioConfigurationLoader.Load([TestPaths.CorpusFile(file)]);
        var resource = Assert.Single(result.Resources, r => r.DocumentIndex == index);
        var findings = result.Validate().Where(f => f.Resource == resource).ToList();

        Assert.Equal(expected.Kind, resource.Kind);
        Assert.Equal(expected.Name, resource.DisplayName);
        Assert.Equal(expected.Status, resource.Status);
        AssertFindings("error", expected.Errors, findings.Where(f => f.IsError).ToList());
        AssertFindings("warning", expected.Warnings, findings.Where(f => !f.IsError).ToList());
        Assert.All(findings, f => Assert.StartsWith(TestPaths.CorpusFile(file) + ":", f.Location));
        if (expected.Errors.Length == 0 && resource.Kind == "ServiceEntry")
        {
            Assert.Contains(result.Options.ExternalServices, s => s.Source == resource.Location);
        }
    }

    [Fact]
    public void Load_CorpusFolder_EveryDocumentIsInTheExpectationTable()
    {
        var tabled = CorpusExpectations.All.Select(d => $"{d.File}#{d.Index}").ToHashSet();
        var found = new HashSet<string>();
        foreach (var file in Directory.GetFiles(TestPaths.CorpusDirectory))
        {
            var result = IstioConfigurationLoader.Load([file]);
            Assert.DoesNotContain(result.Diagnostics, d => d.Resource is null); // every file parses as YAML
            foreach (var resource in result.Resources)
            {
                found.Add($"{Path.GetFileName(file)}#{resource.DocumentIndex}");
            }
        }

        Assert.Empty(found.Except(tabled)); // a corpus document without an asserted outcome
        Assert.Empty(tabled.Except(found)); // a table row without a document
    }

    [Fact]
    public void Load_CorpusFolder_ReadsEveryFileWithoutThrowing()
    {
        var result = IstioConfigurationLoader.Load([TestPaths.CorpusDirectory]);

        Assert.Equal(Directory.GetFiles(TestPaths.CorpusDirectory, "*.yaml").Length, result.Files.Count);
        Assert.Equal(CorpusExpectations.All.Length, result.Resources.Count);
        Assert.Equal(CorpusExpectations.All.Count(d => d.Status == IstioResourceStatus.Ignored), result.Resources.Count(r => r.Status == IstioResourceStatus.Ignored));
    }

    public static TheoryData<string> ErrFixtures() => new(
        "istio-istio__pkg_config_validation_testdata_crds_serviceentry-invalid.yaml",
        "istio-istio__pkg_config_validation_testdata_crds_destinationrule-invalid.yaml");

    [Theory]
    [MemberData(nameof(ErrFixtures))]
    public void Load_InvalidFixtureWithErr_RejectedWithTheSameEssentialWords(string file)
    {
        var path = TestPaths.CorpusFile(file);
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        var result = IstioConfigurationLoader.Load([path]);
        var findings = result.Validate();
        var checkedDocuments = 0;
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = (YamlMappingNode)stream.Documents[i].RootNode;
            if (!root.Children.TryGetValue(new YamlScalarNode("_err"), out var err))
            {
                continue;
            }

            var resource = result.Resources.Single(r => r.DocumentIndex == i);
            var errors = findings.Where(f => f.Resource == resource && f.IsError).Select(f => f.Message).ToList();
            Assert.True(
                errors.Any(e => e.Contains(((YamlScalarNode)err).Value!, StringComparison.OrdinalIgnoreCase)),
                $"{resource}: expected an error containing '{((YamlScalarNode)err).Value}', got: {string.Join(" | ", errors)}");
            checkedDocuments++;
        }

        Assert.True(checkedDocuments >= 3, "the fixture has documents with _err");
    }

    [Fact]
    public void Load_ServiceEntryValidFixture_EveryDocumentAccepted()
    {
        // Istio accepts all five, and so does MeshClient (resolution DNS included).
        var result = IstioConfigurationLoader.Load([TestPaths.CorpusFile("istio-istio__pkg_config_validation_testdata_crds_serviceentry-valid.yaml")]);
        var findings = result.Validate();

        Assert.Equal(["default/full", "empty-selector", "none-cidr", "partial-wildcard", "static-endpoints"], result.Resources.Select(r => r.DisplayName).Order());
        Assert.Empty(findings.Where(f => f.IsError).Select(f => f.ToString()));
    }

    private static void AssertFindings(string what, string[] expected, List<IstioDiagnostic> actual)
    {
        var messages = actual.Select(a => a.Message).ToList();
        Assert.True(
            expected.Length == actual.Count,
            $"expected {expected.Length} {what}(s), got {actual.Count}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", messages)}");
        foreach (var text in expected)
        {
            Assert.True(messages.Any(m => m.Contains(text, StringComparison.Ordinal)), $"no {what} contains '{text}':{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", messages)}");
        }
    }
}
