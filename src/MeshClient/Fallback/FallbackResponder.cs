namespace MeshClient.Fallback;

/// <summary>A user fallback registered for one external service by <c>AddFallbackCache</c>.</summary>
internal sealed record FallbackResponder(string Service, Func<FallbackContext, ValueTask<HttpResponseMessage?>> Respond);
