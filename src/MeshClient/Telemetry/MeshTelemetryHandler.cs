namespace MeshClient.Telemetry;

/// <summary>
/// Sits right above the routing handler and watches each logical request — redirects and retries
/// included — once: its client span (Activity.Current while the mesh works on it, so the attempt
/// spans are its children) and Istio's request metrics from the final result. When nothing listens
/// it only passes the request on.
/// </summary>
internal sealed class MeshTelemetryHandler : DelegatingHandler
{
    private readonly MeshTelemetry _telemetry;

    public MeshTelemetryHandler(MeshTelemetry telemetry) => _telemetry = telemetry;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _telemetry.ObservesRequests ? SendObservedAsync(request, cancellationToken) : base.SendAsync(request, cancellationToken);

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    private async Task<HttpResponseMessage> SendObservedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var start = _telemetry.TimeProvider.GetTimestamp();
        var span = MeshTelemetry.StartRequest(request);
        HttpResponseMessage? response = null;
        Exception? error = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            _telemetry.EndRequest(request, response, error, span, start);
        }
    }
}
