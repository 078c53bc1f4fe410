using MeshClient.Discovery;

namespace MeshClient.Health;

/// <summary>
/// Gives each cluster whose definition has active health checks an <see cref="ActiveHealthChecker"/>:
/// the existing one while the settings stay the same (told about changed endpoints), a new one when
/// they change (the endpoints keep their status), none when checks are turned off (the endpoints they
/// took out go back in).
/// </summary>
internal sealed class ActiveHealthCheckerFactory : IClusterPolicyFactory
{
    private readonly Func<MeshEndpoint, CancellationToken, ValueTask>? _tcpConnect;
    private readonly Func<double>? _random;

    public ActiveHealthCheckerFactory()
    {
    }

    /// <summary>For tests: a TCP connect and a random source of their own.</summary>
    internal ActiveHealthCheckerFactory(Func<MeshEndpoint, CancellationToken, ValueTask>? tcpConnect, Func<double>? random)
    {
        _tcpConnect = tcpConnect;
        _random = random;
    }

    public IClusterPolicy? Create(ClusterPolicyContext context, IClusterPolicy? existing)
    {
        var settings = context.Definition.HealthCheck;
        if (settings is null)
        {
            if (existing is not null)
            {
                ActiveHealthChecker.RestoreAll(context);
            }

            return null;
        }

        if (existing is ActiveHealthChecker checker && checker.Settings.Equals(settings))
        {
            checker.Reconcile();
            return checker;
        }

        return new ActiveHealthChecker(context, settings, _tcpConnect, _random);
    }
}
