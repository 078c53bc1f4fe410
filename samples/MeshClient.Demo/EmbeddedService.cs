using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshClient.Demo;

/// <summary>
/// One instance of the fake "external" weather API: a Kestrel server on 127.0.0.1 with a port the
/// OS chose. It counts what it served, and how many requests arrived without the logical Host
/// header (the mesh connects to the endpoint's address but the request keeps the service name in <c>Host</c>).
/// </summary>
internal sealed class EmbeddedService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _served;
    private long _wrongHost;

    private EmbeddedService(string name, string expectedHost, int weight)
    {
        Name = name;
        ExpectedHost = expectedHost;
        Weight = weight;
        _app = CreateApp(name);
        _app.MapGet("/weather", HandleWeather);
    }

    public string Name { get; }

    public string ExpectedHost { get; }

    public int Weight { get; }

    public int Port { get; private set; }

    public long Served => Interlocked.Read(ref _served);

    public long WrongHost => Interlocked.Read(ref _wrongHost);

    public static async Task<EmbeddedService> StartAsync(string name, string expectedHost, int weight)
    {
        var service = new EmbeddedService(name, expectedHost, weight);
        await service._app.StartAsync();
        service.Port = new Uri(service._app.Urls.First()).Port;
        return service;
    }

    /// <summary>A slim Kestrel app listening on 127.0.0.1, on a port the OS picks when it starts.</summary>
    public static WebApplication CreateApp(string name)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = name, Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        return builder.Build();
    }

    /// <summary>A loopback port nobody listens on: bind a socket, read its port, close it.</summary>
    public static int ReserveDeadPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private IResult HandleWeather(HttpContext context)
    {
        Interlocked.Increment(ref _served);
        var host = context.Request.Host.Host;
        if (!string.Equals(host, ExpectedHost, StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _wrongHost);
        }

        var city = context.Request.Query["city"].ToString();
        return Results.Json(new WeatherReport(Name, host, string.IsNullOrEmpty(city) ? "Zurich" : city, 21, "Sunny"));
    }
}

/// <summary>What the weather API answers: which instance served the call and the Host it saw.</summary>
internal sealed record WeatherReport(string Instance, string Host, string City, int TemperatureC, string Summary);
