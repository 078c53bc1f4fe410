using MeshClient.Configuration;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshClient.IntegrationTests.Discovery;

/// <summary>
/// A STATIC endpoint at a Unix domain socket (Istio <c>unix:///path</c>): a real Kestrel listening on a
/// socket file in a temporary directory — no network at all.
/// </summary>
[Trait("Area", "Discovery")]
public sealed class UnixSocketEndpointTests : IAsyncDisposable
{
    private const string Host = "local.example.com";
    private readonly string _directory = Directory.CreateTempSubdirectory("mesh-uds-").FullName;
    private WebApplication? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> ServeAsync(string name)
    {
        var path = Path.Combine(_directory, "app.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(path));
        _server = builder.Build();
        _server.Run(context => context.Response.WriteAsync($"{name} {context.Request.Host} {context.Request.Path}", context.RequestAborted));
        await _server.StartAsync(Ct);
        return path;
    }

    [Fact]
    public async Task Request_ReachesKestrelOnTheSocket_HostKept_ResultNamesTheSocket()
    {
        var path = await ServeAsync("uds");
        using var mesh = new MeshHost(services => services.AddMeshExternalService(Host, s =>
        {
            s.Resolution = ServiceResolution.Static;
            s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
            s.Endpoints.Add(new ServiceEndpointOptions("unix://" + path));
        }));

        using var response = await mesh.CreateClient().GetAsync($"http://{Host}/items", Ct);

        Assert.Equal($"uds {Host} /items", await response.Content.ReadAsStringAsync(Ct));
        var result = response.GetMeshResult()!;
        Assert.Equal(("unix://" + path, $"outbound|80||{Host}"), (result.Endpoint, result.Cluster));
    }

    [Fact]
    public async Task NothingListening_ConnectionFailure_UFNamingTheSocket()
    {
        var path = Path.Combine(_directory, "nobody.sock");
        using var mesh = new MeshHost(services =>
        {
            services.AddMesh(m => m.DefaultRetryPolicy = new HttpRetryOptions { Attempts = 0 });
            services.AddMeshExternalService(Host, s =>
            {
                s.Resolution = ServiceResolution.Static;
                s.Ports.Add(new ServicePortOptions(80, "http", ServiceProtocol.Http));
                s.Endpoints.Add(new ServiceEndpointOptions("unix://" + path));
            });
        });

        using var response = await mesh.CreateClient().GetAsync($"http://{Host}/", Ct);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var result = response.GetMeshResult()!;
        Assert.True(result.Flags.HasFlag(MeshResponseFlags.UpstreamConnectionFailure), result.ToString());
        Assert.Equal("unix://" + path, result.Endpoint);
    }
}
