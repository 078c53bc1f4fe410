using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshClient.IntegrationTests.TestSupport;

/// <summary>A real Kestrel server on 127.0.0.1 (port 0) that records what it receives.</summary>
internal sealed class Upstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _closed;

    private Upstream(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    public ConcurrentQueue<string> Hosts { get; } = new();

    public ConcurrentQueue<string> SniNames { get; } = new();

    public ConcurrentDictionary<string, int> Connections { get; } = new();

    /// <summary>Connections Kestrel has seen close (by either side).</summary>
    public int ClosedConnections => Volatile.Read(ref _closed);

    public int Requests => Hosts.Count;

    /// <summary>The client certificate subject of each request ("" without one).</summary>
    public ConcurrentQueue<string> ClientSubjects { get; } = new();

    public static async Task<Upstream> StartAsync(string name, X509Certificate2? certificate = null, RequestDelegate? handler = null, Action<HttpsConnectionAdapterOptions>? https = null, IPAddress? address = null, int port = 0, HttpProtocols? protocols = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        Upstream? upstream = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address ?? IPAddress.Loopback, port, listen =>
        {
            if (protocols is { } only)
            {
                listen.Protocols = only; // Http2 without TLS: HTTP/2 prior knowledge (h2c) only
            }

            listen.Use(next => async connection =>
            {
                try
                {
                    await next(connection);
                }
                finally
                {
                    Interlocked.Increment(ref upstream!._closed);
                }
            });
            if (certificate is not null)
            {
                var options = new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (_, sni) =>
                    {
                        upstream!.SniNames.Enqueue(sni ?? string.Empty);
                        return certificate;
                    },
                };
                https?.Invoke(options);
                listen.UseHttps(options);
            }
        }));
        var app = builder.Build();
        upstream = new Upstream(app, name);
        app.Run(async context =>
        {
            upstream.ClientSubjects.Enqueue(context.Connection.ClientCertificate?.Subject ?? string.Empty);
            upstream.Hosts.Enqueue(context.Request.Host.Value ?? string.Empty);
            upstream.Connections.AddOrUpdate(context.Connection.Id, 1, static (_, n) => n + 1);
            if (handler is not null)
            {
                await handler(context);
                return;
            }

            await context.Response.WriteAsync(upstream.Name, context.RequestAborted);
        });
        await app.StartAsync();
        var listening = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        upstream.Port = new Uri(listening).Port;
        return upstream;
    }

    /// <summary>A loopback port with nothing listening: connections to it are refused.</summary>
    public static int DeadPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for: {what}");
            }

            await Task.Yield();
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
