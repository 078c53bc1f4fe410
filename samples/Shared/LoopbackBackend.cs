using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshClient.Samples;

/// <summary>
/// Stands in for the external service the sample calls: a Kestrel server on 127.0.0.1 with a port the
/// OS picks, answering <c>GET /items</c> with the <c>Host</c> header it received. In your application
/// the endpoints are the real service's addresses; nothing here leaves the machine.
/// </summary>
internal sealed class LoopbackBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The port Kestrel listens on, at 127.0.0.1.</summary>
    public int Port { get; }

    public static async Task<LoopbackBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = name, Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/items", (HttpContext context) => Results.Json(new Items(name, context.Request.Host.Value ?? string.Empty, ["apple", "pear"])));
        await app.StartAsync();
        return new LoopbackBackend(app, new Uri(app.Urls.First()).Port);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>What the backend answers: who served the call, the Host it saw, and the items.</summary>
internal sealed record Items(string Server, string Host, string[] Names);
