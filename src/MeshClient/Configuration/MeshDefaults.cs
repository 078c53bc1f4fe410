namespace MeshClient.Configuration;

/// <summary>The mesh-wide defaults, in one place.</summary>
internal static class MeshDefaults
{
    /// <summary><see cref="HttpClient.Timeout"/>'s default: what a client without the mesh waits for.</summary>
    public static readonly TimeSpan HttpClientTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The default of <see cref="MeshOptions.MaxConcurrentMirrors"/>.</summary>
    public const int MaxConcurrentMirrors = 64;

    /// <summary>The default of <see cref="MeshOptions.MaxMirroredBodyBytes"/>: 1 MiB.</summary>
    public const int MaxMirroredBodyBytes = 1024 * 1024;

    /// <summary>How often TLS certificate files are checked for rotation.</summary>
    public static readonly TimeSpan CertificateRefreshInterval = TimeSpan.FromSeconds(10);
}
