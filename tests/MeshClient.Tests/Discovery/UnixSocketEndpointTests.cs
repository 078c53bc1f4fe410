using System.Net;
using MeshClient.Configuration;
using MeshClient.Model;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Discovery;

/// <summary>STATIC endpoints at a Unix domain socket (Istio <c>unix:///path</c>): validation, the endpoint, the wire target.</summary>
[Trait("Area", "Discovery")]
public sealed class UnixSocketEndpointTests
{
    private const string Prefix = "External service 'local.example.com': ";

    private static ExternalServiceOptions Service(params string[] addresses)
    {
        var service = new ExternalServiceOptions { Resolution = ServiceResolution.Static };
        service.Hosts.Add("local.example.com");
        service.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
        foreach (var address in addresses)
        {
            service.Endpoints.Add(new ServiceEndpointOptions(address));
        }

        return service;
    }

    private static string[] Errors(ExternalServiceOptions service)
    {
        var options = new MeshOptions();
        options.ExternalServices.Add(service);
        return MeshOptionsValidator.Validate(options).Where(d => d.IsError).Select(d => d.Message).ToArray();
    }

    [Fact]
    public void Validate_PathOrAbstractName_Accepted()
    {
        Assert.Empty(Errors(Service("unix:///var/run/app.sock", "unix://@app-abstract")));
    }

    [Fact]
    public void Validate_IstiosRules_EachAnErrorAtTheEndpoint()
    {
        var service = Service("unix://relative.sock", "unix:///var/run/", "unix://", "unix:///" + new string('a', 120), "unix:///var/run/ok.sock");
        service.Endpoints[4].Ports["http"] = 8080;
        service.Ports.Add(new ServicePortOptions(81, "http-alt", ServiceProtocol.Http));

        var errors = Errors(service);

        Assert.Equal(6, errors.Length);
        Assert.Equal(Prefix + "endpoints[0].address 'unix://relative.sock': relative.sock is not an absolute path to a file.", errors[0]);
        Assert.Equal(Prefix + "endpoints[1].address 'unix:///var/run/': /var/run/ is not an absolute path to a file.", errors[1]);
        Assert.Equal(Prefix + "endpoints[2].address 'unix://': unix address must not be empty.", errors[2]);
        Assert.StartsWith(Prefix + "endpoints[3].address 'unix:///aaaa", errors[3], StringComparison.Ordinal);
        Assert.EndsWith("': a socket path has at most 107 bytes (sun_path).", errors[3], StringComparison.Ordinal);
        Assert.Equal(Prefix + "endpoints[4].ports unix endpoint unix:///var/run/ok.sock must not include ports.", errors[4]);
        Assert.Equal(Prefix + "ports: exactly 1 service port required for unix endpoints (has 2).", errors[5]);
    }

    [Fact]
    public void Endpoint_IsTheSocket_KeyedByItsPath_PortZero()
    {
        var endpoint = EndpointDefinition.UnixSocket("unix:///var/run/app.sock", 3, "us-east1");
        var abstractName = EndpointDefinition.UnixSocket("unix://@app", 1, null);

        Assert.Equal(("unix:///var/run/app.sock", "/var/run/app.sock", 0, 3), (endpoint.Authority, endpoint.SocketPath, endpoint.Port, endpoint.Weight));
        Assert.Equal(new EndpointKey("unix:///var/run/app.sock", 0), endpoint.Key);
        Assert.Equal("/var/run/app.sock", Assert.IsType<System.Net.Sockets.UnixDomainSocketEndPoint>(endpoint.ToEndPoint()).ToString());
        Assert.Equal("@app", Assert.IsType<System.Net.Sockets.UnixDomainSocketEndPoint>(abstractName.ToEndPoint()).ToString()); // .NET shows an abstract name with @
    }

    [Fact]
    public async Task Request_GoesToTheSocket_UriAndResultNameIt()
    {
        using var harness = new MeshHarness(services => services.AddMeshExternalService("local.example.com", s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            s.Endpoints.Add(new ServiceEndpointOptions("unix:///var/run/app.sock"));
        }));

        using var response = await harness.CreateClient().GetAsync("http://local.example.com/items", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(harness.Handler.Seen);
        Assert.Equal(("http://local.example.com/items", "/var/run/app.sock"), (sent.Uri.AbsoluteUri, sent.Target));
        Assert.Equal("unix:///var/run/app.sock", response.GetMeshResult()!.Endpoint);
    }
}
