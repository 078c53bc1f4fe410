namespace MeshClient.Istio;

/// <summary>
/// The input limits of <see cref="IstioConfigurationLoader"/>: a configuration file must never be able to
/// crash, hang or exhaust the application. A file over a limit is rejected as a whole with an error that
/// names it (on a reload, the last good configuration stays in use).
/// </summary>
/// <remarks>
/// With <c>AddIstioConfiguration</c>, set them with
/// <c>services.Configure&lt;IstioLoaderOptions&gt;(o =&gt; o.MaxFileSize = 16 * 1024 * 1024)</c>.
/// The limits are described in <c>docs/reliability.md</c>.
/// </remarks>
public sealed class IstioLoaderOptions
{
    internal const long DefaultMaxFileSize = 4 * 1024 * 1024;
    internal const int DefaultMaxNestingDepth = 100;
    internal const int DefaultMaxDocumentsPerFile = 10_000;
    internal static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the largest file read, in bytes.</summary>
    /// <value>Defaults to 4 MiB (4,194,304 bytes), about 20,000 ServiceEntries; a larger file is an error.</value>
    public long MaxFileSize { get; set; } = DefaultMaxFileSize;

    /// <summary>Gets or sets how deeply YAML collections (mappings and sequences) may nest.</summary>
    /// <value>
    /// Defaults to 100. Istio objects nest about 12 levels, Kubernetes CRD schemas about 40; deeper
    /// nesting is an error found while parsing, before any object is built.
    /// </value>
    public int MaxNestingDepth { get; set; } = DefaultMaxNestingDepth;

    /// <summary>Gets or sets how many YAML documents (separated by <c>---</c>) one file may hold.</summary>
    /// <value>Defaults to 10,000; a file with more is an error.</value>
    public int MaxDocumentsPerFile { get; set; } = DefaultMaxDocumentsPerFile;

    /// <summary>Gets or sets how long reading one file may take before it is given up.</summary>
    /// <value>
    /// Defaults to 10 seconds. A read that does not finish in time (a file on a hung network share, or one
    /// replaced by a FIFO while it was being read) is an error; the blocked read is abandoned on a
    /// background thread and never delays a reload or shutdown beyond this.
    /// </value>
    public TimeSpan ReadTimeout { get; set; } = DefaultReadTimeout;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFileSize, nameof(MaxFileSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxNestingDepth, nameof(MaxNestingDepth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDocumentsPerFile, nameof(MaxDocumentsPerFile));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReadTimeout, TimeSpan.Zero, nameof(ReadTimeout));
    }
}
