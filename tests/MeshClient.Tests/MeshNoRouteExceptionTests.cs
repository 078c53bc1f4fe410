namespace MeshClient.Tests;

[Trait("Area", "Reliability")]
public sealed class MeshNoRouteExceptionTests
{
    [Theory]
    [InlineData("::1", 38447, "'[::1]:38447'")]
    [InlineData("2001:db8::1", 443, "'[2001:db8::1]:443'")]
    [InlineData("evil.example.org", 443, "'evil.example.org:443'")]
    [InlineData("10.0.0.1", 80, "'10.0.0.1:80'")]
    public void Message_IPv6Host_WrittenInBrackets(string host, int port, string authority)
    {
        // Issue 20, defect 8: an IPv6 authority printed as '::1:38447' cannot be told apart from a host '::1:38447'.
        var exception = new MeshNoRouteException(host, port);

        Assert.StartsWith($"Request to {authority} blocked:", exception.Message, StringComparison.Ordinal);
    }
}
