using System.Net;

namespace MeshClient.Benchmarks;

/// <summary>
/// The terminal handler of every variant: no sockets, a new empty 200 response per request (as a
/// real handler would create). It holds nothing to release, so one instance serves every pipeline
/// even after a pipeline disposes it.
/// </summary>
internal sealed class InMemoryHandler : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
}
