using System.Collections.Concurrent;
using MeshClient.Configuration;
using Microsoft.Extensions.Primitives;

namespace MeshClient.IntegrationTests.TestSupport;

/// <summary>An <see cref="IMeshCredentialProvider"/> over a dictionary; <see cref="Set"/> fires the name's change token.</summary>
internal sealed class InMemoryCredentialProvider : IMeshCredentialProvider
{
    private readonly ConcurrentDictionary<string, MeshCredential> _credentials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _tokens = new(StringComparer.Ordinal);

    public int Calls;

    public bool Throw { get; set; }

    public MeshCredential? GetCredential(string credentialName)
    {
        Interlocked.Increment(ref Calls);
        if (Throw)
        {
            throw new InvalidOperationException("vault unreachable");
        }

        return _credentials.TryGetValue(credentialName, out var credential) ? credential : null;
    }

    public IChangeToken? Watch(string credentialName) =>
        new CancellationChangeToken(_tokens.GetOrAdd(credentialName, static _ => new CancellationTokenSource()).Token);

    /// <summary>Sets (or, with <see langword="null"/>, removes) a credential without telling anyone: the next periodic check sees it.</summary>
    public void Put(string name, MeshCredential? credential)
    {
        if (credential is null)
        {
            _credentials.TryRemove(name, out _);
        }
        else
        {
            _credentials[name] = credential;
        }
    }

    /// <summary>Sets a credential and fires its change token.</summary>
    public void Set(string name, MeshCredential credential)
    {
        Put(name, credential);
        if (_tokens.TryRemove(name, out var cts))
        {
            cts.Cancel();
            cts.Dispose();
        }
    }
}
