using System.Net;
using System.Net.Http.Headers;
using MeshClient.Configuration;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Http;

[Trait("Area", "Routing")]
public sealed class MeshRedirectsTests
{
    private readonly List<string> _hops = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An upstream that redirects as the path says: <c>/to/301/https/b.example.com/x</c>.</summary>
    private readonly List<string> _keys = [];
    private bool _yield;

    private RecordingHandler Upstream() => new(async (request, _) =>
    {
        if (_yield)
        {
            await Task.Yield(); // the response arrives later, as from a socket: the handlers' asynchronous paths run
        }

        var body = request.Content is null ? "-" : await request.Content.ReadAsStringAsync(Ct);
        lock (_hops)
        {
            _hops.Add($"{request.Method} {request.RequestUri} auth={request.Headers.Authorization?.Scheme ?? "-"} body={body}");
            _keys.Add(request.Headers.TryGetValues("X-Api-Key", out var key) ? string.Join(",", key) : "-");
        }

        var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["to", var status, var scheme, var host, .. var rest])
        {
            var response = new HttpResponseMessage((HttpStatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.Location = new Uri($"{scheme}://{host}/{string.Join('/', rest)}");
            return response;
        }

        if (segments is ["relative"])
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("/landed?q=1", UriKind.Relative);
            return response;
        }

        if (segments is ["loop"])
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("/loop", UriKind.Relative);
            return response;
        }

        return new HttpResponseMessage(HttpStatusCode.OK);
    });

    private MeshHarness Mesh(Action<MeshOptions>? mesh = null) => new(services =>
    {
        services.AddMesh(mesh);
        services.AddMeshExternalService("a.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"));
        services.AddMeshExternalService("b.example.com", s => MeshHarness.Static(s, 443, "10.0.0.2"));
    }, Upstream());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Redirect_ToOtherService_EachHopRoutedByTheMeshAndAuthorizationDropped(bool yielding)
    {
        _yield = yielding;
        using var harness = Mesh();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://a.example.com/to/301/https/b.example.com/x");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "secret");

        using var response = await harness.CreateClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["10.0.0.1:443", "10.0.0.2:443"], harness.Handler.Seen.Select(s => s.Target).ToArray());
        Assert.Equal(
            ["GET https://a.example.com/to/301/https/b.example.com/x auth=Bearer body=-", "GET https://b.example.com/x auth=- body=-"],
            _hops.ToArray());
        Assert.Equal(new Uri("https://b.example.com/x"), response.RequestMessage!.RequestUri);
        Assert.Equal("outbound|443||b.example.com", response.GetMeshResult()!.Cluster);
    }

    [Fact]
    public async Task Redirect_ToUndeclaredHostUnderRegistryOnly_Blocked502NR()
    {
        using var harness = Mesh(m => m.OutboundTrafficPolicy = OutboundTrafficPolicy.RegistryOnly);

        using var response = await harness.CreateClient().GetAsync("https://a.example.com/to/302/https/evil.example.org/steal", Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("evil.example.org", response.Headers.GetValues("x-mesh-blocked-host").Single());
        Assert.Single(harness.Handler.Seen); // only the first hop left the process
    }

    [Theory]
    [InlineData(301, "GET", "-")]
    [InlineData(302, "GET", "-")]
    [InlineData(303, "GET", "-")]
    [InlineData(307, "POST", "order")]
    [InlineData(308, "POST", "order")]
    public async Task Redirect_Post_MethodAndBodyAsHttpClientHandler(int status, string method, string body)
    {
        using var harness = Mesh();

        using var response = await harness.CreateClient().PostAsync($"https://a.example.com/to/{status}/https/b.example.com/next", new StringContent("order"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{method} https://b.example.com/next auth=- body={body}", _hops[^1]);
    }

    [Fact]
    public async Task Redirect_RelativeLocation_ResolvedAgainstTheRequest()
    {
        using var harness = Mesh();

        using var response = await harness.CreateClient().GetAsync("https://a.example.com/relative", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri("https://a.example.com/landed?q=1"), response.RequestMessage!.RequestUri);
    }

    [Fact]
    public async Task Redirect_HttpsToHttp_NotFollowed()
    {
        using var harness = Mesh();

        using var response = await harness.CreateClient().GetAsync("https://a.example.com/to/301/http/a.example.com/plain", Ct);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Single(harness.Handler.Seen);
    }

    [Fact]
    public async Task Redirect_Disabled_ReturnsThe3xx()
    {
        using var harness = Mesh(m => m.AllowAutoRedirect = false);

        using var response = await harness.CreateClient().GetAsync("https://a.example.com/to/302/https/b.example.com/x", Ct);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Single(harness.Handler.Seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Redirect_Loop_StopsAfterTheLimitWithTheLast3xx(bool yielding)
    {
        _yield = yielding;
        using var harness = Mesh(m => m.MaxAutomaticRedirections = 3);

        using var response = await harness.CreateClient().GetAsync("https://a.example.com/loop", Ct);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(4, harness.Handler.Seen.Count); // the request and 3 redirects
    }

    [Fact]
    public async Task Redirect_ApplicationHandlersSeeOneRequestAndTheFinalResponse()
    {
        var seen = new List<HttpStatusCode>();
        using var harness = new MeshHarness(services =>
        {
            services.AddMeshExternalService("a.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1"))
                .AddHttpMessageHandler(() => new Observing(seen));
            services.AddMeshExternalService("b.example.com", s => MeshHarness.Static(s, 443, "10.0.0.2"));
        }, Upstream());

        using var response = await harness.CreateClient("a.example.com").GetAsync("https://a.example.com/to/302/https/b.example.com/x", Ct);

        Assert.Equal([HttpStatusCode.OK], seen);
        Assert.Equal(2, harness.Handler.Seen.Count);
    }

    private sealed class Observing(List<HttpStatusCode> seen) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            seen.Add(response.StatusCode);
            return response;
        }
    }

    [Fact]
    public async Task Redirect_ToAnotherHost_ForwardsCustomHeadersUnlessListedInRedirectRemovedHeaders()
    {
        foreach (var removed in new[] { false, true })
        {
            _keys.Clear();
            using var harness = Mesh(m =>
            {
                if (removed)
                {
                    m.RedirectRemovedHeaders.Add("x-api-key");
                }
            });
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://a.example.com/to/302/https/a.example.com/to/302/https/b.example.com/x");
            request.Headers.Add("X-Api-Key", "k1");

            using var response = await harness.CreateClient().SendAsync(request, Ct);

            // a -> a (same host: kept) -> b (another host: forwarded as HttpClientHandler does, unless listed)
            Assert.Equal(removed ? ["k1", "k1", "-"] : ["k1", "k1", "k1"], _keys.ToArray());
        }
    }

    [Fact]
    public void Validate_RedirectRemovedHeaders_MustBeHeaderNames()
    {
        var options = new MeshOptions();
        options.RedirectRemovedHeaders.Add("Cookie");
        options.RedirectRemovedHeaders.Add("bad: name");

        Assert.Equal(
            ["redirectRemovedHeaders[1] 'bad: name' is not a header name."],
            MeshOptionsValidator.Validate(options).Where(d => d.IsError).Select(d => d.Message).ToArray());
    }
}
