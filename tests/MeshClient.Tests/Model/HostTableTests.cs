using MeshClient.Model;

namespace MeshClient.Tests.Model;

[Trait("Area", "Routing")]
public sealed class HostTableTests
{
    [Theory]
    [InlineData("*.bar.com", "a.bar.com", true)]
    [InlineData("*.bar.com", "a.b.bar.com", true)]
    [InlineData("*.bar.com", "bar.com", false)]
    [InlineData("*.bar.com", "abar.com", false)]
    [InlineData("*.bar.com", "A.BAR.COM", true)]
    [InlineData("*x.com", "fox.com", true)]
    [InlineData("api.example.com", "API.Example.com", true)]
    [InlineData("api.example.com", "api.example.co", false)]
    public void Matches_IstioWildcardSemantics(string pattern, string host, bool expected) =>
        Assert.Equal(expected, HostPattern.Matches(pattern, host));

    [Fact]
    public void Match_ExactBeatsWildcard_LongerSuffixBeatsShorter()
    {
        var table = HostTable<string>.Build(
        [
            ("*.example.com", 443, "wide"),
            ("*.api.example.com", 443, "narrow"),
            ("eu.api.example.com", 443, "exact"),
        ]);

        Assert.Equal("exact", table.Match("eu.api.example.com", 443));
        Assert.Equal("narrow", table.Match("us.api.example.com", 443));
        Assert.Equal("wide", table.Match("www.example.com", 443));
        Assert.Null(table.Match("example.com", 443));
    }

    [Fact]
    public void Match_OtherPort_NoMatch()
    {
        var table = HostTable<string>.Build([("api.example.com", 443, "svc")]);

        Assert.Null(table.Match("api.example.com", 80));
    }

    [Fact]
    public void Build_DuplicateHostPort_FirstWins()
    {
        var table = HostTable<string>.Build([("api.example.com", 443, "first"), ("API.example.com", 443, "second"), ("*.x.com", 1, "w1"), ("*.x.com", 1, "w2")]);

        Assert.Equal("first", table.Match("api.example.com", 443));
        Assert.Equal("w1", table.Match("a.x.com", 1));
    }
}
