using MeshClient.Runtime;

namespace MeshClient.Http;

/// <summary>
/// Sends fire-and-forget copies of requests to a route's mirrors (Istio <c>mirror</c> /
/// <c>mirrors</c>), owned by the singleton <see cref="MeshRuntime"/>. A copy goes straight to the
/// mirror's cluster (one attempt, its answer discarded), off the caller's thread, so it never delays
/// or changes the caller's result. Bounded: beyond <see cref="Configuration.MeshOptions.MaxConcurrentMirrors"/>
/// copies in flight, a copy is dropped and counted. Bodies are copied only up to
/// <see cref="Configuration.MeshOptions.MaxMirroredBodyBytes"/>. <c>Authorization</c>, <c>Proxy-Authorization</c>
/// and cookies are not sent to a mirror on another host. The <c>Host</c> is kept as it is: Istio
/// turns Envoy's <c>-shadow</c> suffix off by default.
/// </summary>
internal sealed class MirrorSender : IDisposable
{
    private static readonly string[] CredentialHeaders = ["Authorization", "Proxy-Authorization", "Cookie"];

    private readonly MeshRuntime _runtime;
    private readonly HttpMessageInvoker _invoker;
    private readonly Func<double> _random;
    private int _inFlight;
    private long _sent;
    private long _failed;
    private long _dropped;

    public MirrorSender(MeshRuntime runtime, Func<double>? random = null)
    {
        _runtime = runtime;
        _random = random ?? (static () => Random.Shared.NextDouble());
        _invoker = new HttpMessageInvoker(new MeshEndpointHandler(runtime), disposeHandler: true);
    }

    /// <summary>Copies that got an answer (whatever its status).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Copies whose attempt failed (no answer).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Copies not sent: too many in flight, a body that could not be copied, or no cluster for the mirror.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Copies in flight.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Starts the copies of <paramref name="request"/> that <paramref name="route"/>'s mirrors draw.
    /// Returns <see langword="null"/> when that is done (the usual case), or a task to await before the
    /// request itself is sent when its body must be buffered first.
    /// </summary>
    public Task? Start(HttpRequestMessage request, MeshRoute route)
    {
        var mirrors = route.Mirrors;
        var chosen = 0;
        for (var i = 0; i < mirrors.Length; i++)
        {
            var rate = route.Definition.Mirrors[i].Rate;
            if (rate > 0 && (rate >= 1 || _random() < rate))
            {
                chosen |= 1 << Math.Min(i, 30);
            }
        }

        if (chosen == 0)
        {
            return null;
        }

        var content = request.Content;
        if (content is null)
        {
            Dispatch(request, route, chosen, null);
            return null;
        }

        var limit = _runtime.State.Snapshot.MaxMirroredBodyBytes;
        if (content.Headers.ContentLength is { } length ? length > limit : content is StreamContent)
        {
            Drop(chosen); // too large, or a one-shot stream that buffering could spoil for the request itself
            return null;
        }

        Task buffering;
        try
        {
            buffering = content.LoadIntoBufferAsync(limit);
        }
#pragma warning disable CA1031 // The copy is dropped; the request itself goes on.
        catch (Exception)
#pragma warning restore CA1031
        {
            Drop(chosen);
            return null;
        }

        if (buffering.IsCompletedSuccessfully)
        {
            Dispatch(request, route, chosen, Body(content));
            return null;
        }

        return DispatchWhenBufferedAsync(buffering, request, route, chosen);
    }

    public void Dispose() => _invoker.Dispose();

    private async Task DispatchWhenBufferedAsync(Task buffering, HttpRequestMessage request, MeshRoute route, int chosen)
    {
        try
        {
            await buffering.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The copy is dropped; the request itself goes on.
        catch (Exception)
#pragma warning restore CA1031
        {
            Drop(chosen);
            return;
        }

        Dispatch(request, route, chosen, Body(request.Content!));
    }

    private static byte[]? Body(HttpContent content)
    {
        var reading = content.ReadAsByteArrayAsync();
        return reading.IsCompletedSuccessfully ? reading.Result : null; // buffered: completes at once
    }

    private void Drop(int chosen) => Interlocked.Add(ref _dropped, System.Numerics.BitOperations.PopCount((uint)chosen));

    private void Dispatch(HttpRequestMessage request, MeshRoute route, int chosen, byte[]? body)
    {
        var host = request.RequestUri!.IdnHost;
        for (var i = 0; i < route.Mirrors.Length; i++)
        {
            if ((chosen & (1 << Math.Min(i, 30))) == 0)
            {
                continue;
            }

            var target = route.Mirrors[i];
            if (target.Cluster is not { } cluster || (request.Content is not null && body is null))
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            if (Interlocked.Increment(ref _inFlight) > _runtime.State.Snapshot.MaxConcurrentMirrors)
            {
                Interlocked.Decrement(ref _inFlight);
                Interlocked.Increment(ref _dropped);
                continue;
            }

            var copy = Copy(request, body, !string.Equals(target.Destination.Host, host, StringComparison.OrdinalIgnoreCase));
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => _ = state.Sender.SendAsync(state.Copy, state.Cluster, state.Timeout),
                (Sender: this, Copy: copy, Cluster: cluster, Timeout: route.Definition.Timeout),
                preferLocal: false);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body, bool otherHost)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };

        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (otherHost && Array.Exists(CredentialHeaders, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            foreach (var value in values)
            {
                copy.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var (name, values) in request.Content!.Headers.NonValidated)
            {
                foreach (var value in values)
                {
                    copy.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        return copy;
    }

    private async Task SendAsync(HttpRequestMessage copy, Cluster cluster, TimeSpan? timeout)
    {
        using var timer = timeout is { } limit ? new CancellationTokenSource(limit, _runtime.TimeProvider) : null;
        var token = timer?.Token ?? CancellationToken.None;
        var result = new MeshResult { TargetCluster = cluster };
        copy.Options.Set(MeshResponseExtensions.ResultKey, result);
        var attempt = new AttemptContext();
        copy.Options.Set(AttemptContext.Key, attempt);
        try
        {
            using var response = await _invoker.SendAsync(copy, token).ConfigureAwait(false);
            attempt.Succeeded(response);
            Interlocked.Increment(ref _sent);
        }
#pragma warning disable CA1031 // A mirror's failure is counted, never surfaced: the caller has its own answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            attempt.Failed(ex, CancellationToken.None, token);
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            copy.Dispose();
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
