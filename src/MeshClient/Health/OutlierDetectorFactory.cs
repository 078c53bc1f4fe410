namespace MeshClient.Health;

/// <summary>
/// Gives each cluster whose definition has outlier detection an <see cref="OutlierDetector"/>: the
/// existing one while the settings stay the same, a new one (taking over the endpoints' state) when
/// they change, none when detection is turned off (its ejected endpoints go back in).
/// </summary>
internal sealed class OutlierDetectorFactory : IClusterPolicyFactory
{
    public IClusterPolicy? Create(ClusterPolicyContext context, IClusterPolicy? existing)
    {
        var settings = context.Definition.OutlierDetection;
        if (settings is null)
        {
            if (existing is not null)
            {
                OutlierDetector.RestoreAll(context);
            }

            return null;
        }

        return existing is OutlierDetector detector && detector.Settings.Equals(settings)
            ? detector
            : new OutlierDetector(context, settings);
    }
}
