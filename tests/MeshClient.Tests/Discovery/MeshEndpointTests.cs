using System.Net;
using MeshClient.Discovery;
using MeshClient.Model;

namespace MeshClient.Tests.Discovery;

[Trait("Area", "Discovery")]
public sealed class MeshEndpointTests
{
    [Theory]
    [InlineData("https://api.example.com/v1/items?x=1&y=%20", "10.0.0.7", 8443, "https://10.0.0.7:8443/v1/items?x=1&y=%20")]
    [InlineData("http://api.example.com/", "10.0.0.7", 80, "http://10.0.0.7/")]
    [InlineData("http://api.example.com:8080/a/b#frag", "2001:db8::5", 9000, "http://[2001:db8::5]:9000/a/b")]
    public void Rewrite_ReplacesAuthorityOnly(string original, string ip, int port, string expected)
    {
        var endpoint = new MeshEndpoint(new EndpointDefinition(IPAddress.Parse(ip), port, 1, null));

        var rewritten = endpoint.Rewrite(new Uri(original));

        Assert.Equal(expected, rewritten.AbsoluteUri);
    }

    [Fact]
    public void Counters_TrackStartAndEnd()
    {
        var endpoint = new MeshEndpoint(new EndpointDefinition(IPAddress.Loopback, 80, 1, null));

        endpoint.OnStart();
        endpoint.OnStart();
        Assert.Equal(2, endpoint.InFlight);
        endpoint.OnEnd(success: true);
        endpoint.OnEnd(success: false);

        Assert.Equal((2L, 1L, 1L, 0), (endpoint.Requests, endpoint.Successes, endpoint.Failures, endpoint.InFlight));
    }
}
