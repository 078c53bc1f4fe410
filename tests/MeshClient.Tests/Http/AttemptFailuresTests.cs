using System.Net.Sockets;
using MeshClient.Http;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.Tests.Http;

/// <summary>The one classifier: upstream failures get Envoy's flag; the caller's own errors are not the endpoint's fault.</summary>
[Trait("Area", "Reliability")]
public sealed class AttemptFailuresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, MeshResponseFlags.UpstreamConnectionFailure)]
    [InlineData(HttpRequestError.SecureConnectionError, MeshResponseFlags.UpstreamConnectionFailure)]
    [InlineData(HttpRequestError.ProxyTunnelError, MeshResponseFlags.UpstreamConnectionFailure)]
    [InlineData(HttpRequestError.NameResolutionError, MeshResponseFlags.DnsResolutionFailure)]
    [InlineData(HttpRequestError.ResponseEnded, MeshResponseFlags.UpstreamConnectionTermination)]
    [InlineData(HttpRequestError.InvalidResponse, MeshResponseFlags.UpstreamConnectionTermination)]
    [InlineData(HttpRequestError.HttpProtocolError, MeshResponseFlags.UpstreamConnectionTermination)]
    public void Classify_TransportError_IsAnUpstreamFailure(HttpRequestError error, MeshResponseFlags expected)
    {
        var kind = AttemptFailures.Classify(new HttpRequestException(error, "x"), out var flags, Ct, Ct);

        Assert.Equal((AttemptFailureKind.Upstream, expected), (kind, flags));
    }

    [Fact]
    public void Classify_ResetAfterTheRequestWasSent_IsUC()
    {
        var reset = new HttpRequestException(HttpRequestError.Unknown, "Error while copying content", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)));

        var kind = AttemptFailures.Classify(reset, out var flags, Ct, Ct);

        Assert.Equal((AttemptFailureKind.Upstream, MeshResponseFlags.UpstreamConnectionTermination), (kind, flags));
    }

    [Theory]
    [InlineData(HttpRequestError.ConfigurationLimitExceeded)]
    [InlineData(HttpRequestError.VersionNegotiationError)]
    [InlineData(HttpRequestError.ExtendedConnectNotSupported)]
    [InlineData(HttpRequestError.UserAuthenticationError)]
    public void Classify_ClientSideError_IsTheCallers(HttpRequestError error)
    {
        Assert.Equal(AttemptFailureKind.Caller, AttemptFailures.Classify(new HttpRequestException(error, "x"), out _, Ct, Ct));
    }

    [Fact]
    public void Classify_ContentThatThrows_IsTheCallers()
    {
        var wrapped = new HttpRequestException(HttpRequestError.Unknown, "Error while copying content", new InvalidOperationException("serializer failed"));

        Assert.Equal(AttemptFailureKind.Caller, AttemptFailures.Classify(wrapped, out _, Ct, Ct));
        Assert.Equal(AttemptFailureKind.Caller, AttemptFailures.Classify(new InvalidOperationException("x"), out _, Ct, Ct));
    }

    [Fact]
    public void Classify_Cancellation_CallerOrTimeoutOrConnectTimeout()
    {
        using var caller = new CancellationTokenSource();
        using var attempt = new CancellationTokenSource();
        var cancelled = new TaskCanceledException();

        Assert.Equal(AttemptFailureKind.Upstream, AttemptFailures.Classify(cancelled, out var connectTimeout, caller.Token, attempt.Token));
        Assert.Equal(MeshResponseFlags.UpstreamConnectionFailure, connectTimeout);
        attempt.Cancel();
        Assert.Equal(AttemptFailureKind.Timeout, AttemptFailures.Classify(cancelled, out var timeout, caller.Token, attempt.Token));
        Assert.Equal(MeshResponseFlags.UpstreamRequestTimeout, timeout);
        caller.Cancel();
        Assert.Equal(AttemptFailureKind.Cancelled, AttemptFailures.Classify(cancelled, out _, caller.Token, attempt.Token));
    }

    [Fact]
    public async Task Send_ContentThatThrows_PropagatesAndIsNotCountedAgainstTheEndpoint()
    {
        using var harness = new MeshHarness(
            services => services.AddMeshExternalService("api.example.com", s => MeshHarness.Static(s, 443, "10.0.0.1")),
            new RecordingHandler((_, _) => throw new HttpRequestException(HttpRequestError.Unknown, "Error while copying content to a stream.", new InvalidOperationException("the caller's serializer failed"))));

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => harness.CreateClient().PostAsync("https://api.example.com/", new StringContent("x"), TestContext.Current.CancellationToken));

        Assert.IsType<InvalidOperationException>(exception.InnerException);
        Assert.IsNotType<MeshException>(exception);
        var endpoint = harness.Runtime.GetClusters().Single().Endpoints[0];
        Assert.Equal((1L, 0L, 0L), (endpoint.Requests, endpoint.Successes, endpoint.Failures));
    }
}
