using MeshClient.Configuration;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.TestSupport;

/// <summary>An options monitor whose value the test replaces.</summary>
internal sealed class StaticMonitor(MeshOptions value) : IOptionsMonitor<MeshOptions>
{
    private Action<MeshOptions, string?>? _listener;

    public MeshOptions CurrentValue { get; private set; } = value;

    public MeshOptions Get(string? name) => CurrentValue;

    public IDisposable OnChange(Action<MeshOptions, string?> listener)
    {
        _listener = listener;
        return new Subscription();
    }

    public void Change(MeshOptions value)
    {
        CurrentValue = value;
        _listener?.Invoke(value, Microsoft.Extensions.Options.Options.DefaultName);
    }

    private sealed class Subscription : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
