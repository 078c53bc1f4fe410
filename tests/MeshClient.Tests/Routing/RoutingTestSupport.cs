using System.Net;
using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Routing;

/// <summary>A mesh over the in-memory wire for routing tests, and what the upstream received.</summary>
internal static class RoutingTestSupport
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A mesh with <c>api.example.com:443</c> over endpoints 10.0.0.1 (version v1) and 10.0.0.2
    /// (version v2), round robin, with subsets v1 and v2, configured further by <paramref name="configure"/>.
    /// </summary>
    public static MeshHarness Mesh(Action<ExternalServiceOptions> configure, Capture? capture = null, Action<MeshOptions>? mesh = null, Action<IServiceCollection>? more = null) =>
        new(
            services =>
            {
                services.AddMesh(m =>
                {
                    m.AllowAutoRedirect = false;
                    mesh?.Invoke(m);
                });
                services.AddMeshExternalService("api.example.com", s =>
                {
                    Labelled(s);
                    configure(s);
                });
                more?.Invoke(services);
            },
            (capture ?? new Capture()).Handler);

    public static void Labelled(ExternalServiceOptions s)
    {
        s.Resolution = ServiceResolution.Static;
        s.Ports.Add(new ServicePortOptions(443, "https", ServiceProtocol.Https));
        s.Endpoints.Add(new ServiceEndpointOptions("10.0.0.1") { Labels = { ["version"] = "v1" } });
        s.Endpoints.Add(new ServiceEndpointOptions("10.0.0.2") { Labels = { ["version"] = "v2" } });
        s.TrafficPolicy.LoadBalancer.Simple = LoadBalancerAlgorithm.RoundRobin;
        s.Subsets.Add(new SubsetOptions { Name = "v1", Labels = { ["version"] = "v1" } });
        s.Subsets.Add(new SubsetOptions { Name = "v2", Labels = { ["version"] = "v2" } });
    }

    public static HttpRouteDestinationOptions To(string host, string? subset = null, int? weight = null, int? port = null) => new()
    {
        Destination = new DestinationOptions { Host = host, Subset = subset, Port = port is { } p ? new PortSelectorOptions { Number = p } : null },
        Weight = weight,
    };

    public static HttpRouteOptions Route(params HttpRouteDestinationOptions[] destinations)
    {
        var route = new HttpRouteOptions();
        foreach (var destination in destinations)
        {
            route.Route.Add(destination);
        }

        return route;
    }

    public static HttpRouteOptions Direct(int status, string? body = null) =>
        new() { DirectResponse = new HttpDirectResponseOptions { Status = status, BodyString = body } };

    public static HttpMatchOptions Uri(StringMatchOptions uri) => new() { Uri = uri };

    public static async Task<HttpResponseMessage> GetAsync(this MeshHarness harness, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await harness.CreateClient().SendAsync(request, Ct);
    }
}

/// <summary>Records, for each request that reached the wire, its path and query, Host and headers; answers 200 with the headers given.</summary>
internal sealed class Capture
{
    public Capture(params (string Name, string Value)[] responseHeaders)
    {
        Handler = new RecordingHandler((request, _) =>
        {
            lock (Requests)
            {
                Requests.Add(new Upstreamed(
                    request.RequestUri!.PathAndQuery,
                    request.Headers.Host,
                    request.Headers.NonValidated.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase)));
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("upstream") };
            foreach (var (name, value) in responseHeaders)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return Task.FromResult(response);
        });
    }

    public RecordingHandler Handler { get; }

    public List<Upstreamed> Requests { get; } = [];

    public Upstreamed Single => Assert.Single(Requests);
}

internal sealed record Upstreamed(string PathAndQuery, string? Host, Dictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
