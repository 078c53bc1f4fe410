using MeshClient.Configuration;

namespace MeshClient.Connections;

/// <summary>
/// The TLS settings of one cluster (Istio <c>ClientTLSSettings</c> after port-level selection and
/// <c>credentialName</c> resolution), part of its <see cref="WireSettings"/>: a change replaces the
/// endpoints' pools. Holds file paths only, never their contents.
/// </summary>
internal sealed record TlsSettings
{
    /// <summary>The Kubernetes TLS secret layout of a <c>credentialName</c> directory.</summary>
    internal const string CertificateFile = "tls.crt";

    internal const string KeyFile = "tls.key";

    internal const string CaFile = "ca.crt";

    internal const string CrlFile = "ca.crl";

    /// <summary>SIMPLE or MUTUAL (DISABLE has no settings).</summary>
    public TlsMode Mode { get; init; } = TlsMode.Simple;

    public string? CaCertificates { get; init; }

    public string? CaCrl { get; init; }

    public string? ClientCertificate { get; init; }

    public string? PrivateKey { get; init; }

    /// <summary>The <c>credentialName</c> the files came from, for messages.</summary>
    public string? CredentialName { get; init; }

    /// <summary>
    /// The registered <see cref="IMeshCredentialProvider"/> that resolves <see cref="CredentialName"/>, or
    /// <see langword="null"/> when the credential is a directory the mesh reads itself (the default provider).
    /// </summary>
    public IMeshCredentialProvider? Provider { get; init; }

    /// <summary>The explicit SNI, or <see langword="null"/> for the requested host.</summary>
    public string? Sni { get; init; }

    /// <summary>The names the server certificate must carry (DR, else ServiceEntry); empty: the SNI (the host by default).</summary>
    public IReadOnlyList<string> SubjectAltNames { get; init; } = [];

    public bool InsecureSkipVerify { get; init; }

    /// <summary>How often the files are checked for rotation.</summary>
    public TimeSpan RefreshInterval { get; init; } = MeshDefaults.CertificateRefreshInterval;

    /// <summary>Whether any certificate material comes from files (and is watched).</summary>
    public bool HasFiles => CaCertificates is not null || CaCrl is not null || ClientCertificate is not null || PrivateKey is not null;

    /// <summary>Whether the material is checked for rotation: files, or a credential from a provider.</summary>
    public bool IsWatched => HasFiles || Provider is not null;

    /// <summary>
    /// The settings of a port of <paramref name="service"/>: its <c>portLevelSettings</c> entry's
    /// <c>tls</c> when there is one (replacing, not merging with, the service-level <c>tls</c>), else
    /// the service-level one. <see langword="null"/> for no TLS from the mesh (absent, or DISABLE).
    /// </summary>
    public static TlsSettings? For(ExternalServiceOptions service, int port, string? credentialsDirectory, TimeSpan refreshInterval, IMeshCredentialProvider? provider = null) =>
        For(service.TrafficPolicy, service.SubjectAltNames, port, credentialsDirectory, refreshInterval, provider);

    /// <summary>The settings of a port under <paramref name="policy"/> (a service's, or a subset's merged over it).</summary>
    public static TlsSettings? For(TrafficPolicyOptions? policy, IList<string> serviceSubjectAltNames, int port, string? credentialsDirectory, TimeSpan refreshInterval, IMeshCredentialProvider? provider = null)
    {
        if (policy is null)
        {
            return null;
        }

        var tls = policy.Tls;
        foreach (var level in policy.PortLevelSettings)
        {
            if (level is not null && level.Port == port)
            {
                tls = level.Tls; // Istio: port-level components replace the destination-level ones and do not inherit
                break;
            }
        }

        return From(tls, serviceSubjectAltNames, credentialsDirectory, refreshInterval, provider);
    }

    /// <summary>
    /// Settings from validated options. A <c>credentialName</c> is resolved by <paramref name="provider"/>
    /// when it is a registered provider of its own, else read as a directory (the default
    /// <see cref="MeshDirectoryCredentialProvider"/>, under its root or <paramref name="credentialsDirectory"/>).
    /// </summary>
    public static TlsSettings? From(TlsOptions? tls, IList<string> serviceSubjectAltNames, string? credentialsDirectory, TimeSpan refreshInterval, IMeshCredentialProvider? provider = null)
    {
        if (tls is null || tls.Mode is not (TlsMode.Simple or TlsMode.Mutual))
        {
            return null;
        }

        var sans = tls.SubjectAltNames.Count > 0 ? tls.SubjectAltNames : serviceSubjectAltNames;
        var settings = new TlsSettings
        {
            Mode = tls.Mode,
            Sni = string.IsNullOrEmpty(tls.Sni) ? null : tls.Sni,
            SubjectAltNames = [.. sans],
            InsecureSkipVerify = tls.InsecureSkipVerify,
            RefreshInterval = refreshInterval,
        };

        if (!string.IsNullOrEmpty(tls.CredentialName) && IsCustom(provider))
        {
            return settings with { CredentialName = tls.CredentialName, Provider = provider };
        }

        if (!string.IsNullOrEmpty(tls.CredentialName))
        {
            var directory = CredentialDirectory(tls.CredentialName, (provider as MeshDirectoryCredentialProvider)?.Root ?? credentialsDirectory);
            return settings with
            {
                CredentialName = tls.CredentialName,
                ClientCertificate = tls.Mode == TlsMode.Mutual ? Path.Combine(directory, CertificateFile) : null,
                PrivateKey = tls.Mode == TlsMode.Mutual ? Path.Combine(directory, KeyFile) : null,
                CaCertificates = OptionalFile(Path.Combine(directory, CaFile)),
                CaCrl = OptionalFile(Path.Combine(directory, CrlFile)),
            };
        }

        return settings with
        {
            CaCertificates = NullIfEmpty(tls.CaCertificates),
            CaCrl = NullIfEmpty(tls.CaCrl),
            ClientCertificate = tls.Mode == TlsMode.Mutual ? NullIfEmpty(tls.ClientCertificate) : null,
            PrivateKey = tls.Mode == TlsMode.Mutual ? NullIfEmpty(tls.PrivateKey) : null,
        };
    }

    /// <summary>Whether <paramref name="provider"/> is a registered provider other than the directory one the mesh reads itself.</summary>
    public static bool IsCustom([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] IMeshCredentialProvider? provider) =>
        provider is not null and not MeshDirectoryCredentialProvider;

    /// <summary>The directory of a <c>credentialName</c>: an absolute path as it is, a name under <paramref name="credentialsDirectory"/>.</summary>
    public static string CredentialDirectory(string credentialName, string? credentialsDirectory) =>
        Path.IsPathRooted(credentialName)
            ? credentialName
            : Path.GetFullPath(Path.Combine(credentialsDirectory ?? Directory.GetCurrentDirectory(), credentialName));

    public bool Equals(TlsSettings? other) =>
        other is not null
        && Mode == other.Mode
        && CaCertificates == other.CaCertificates
        && CaCrl == other.CaCrl
        && ClientCertificate == other.ClientCertificate
        && PrivateKey == other.PrivateKey
        && CredentialName == other.CredentialName
        && ReferenceEquals(Provider, other.Provider)
        && Sni == other.Sni
        && InsecureSkipVerify == other.InsecureSkipVerify
        && RefreshInterval == other.RefreshInterval
        && SubjectAltNames.SequenceEqual(other.SubjectAltNames, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Mode, CaCertificates, ClientCertificate, Sni, InsecureSkipVerify, SubjectAltNames.Count);

    // Paths only: no file content can end up here.
    public override string ToString() =>
        $"{Mode}{(Sni is null ? string.Empty : " sni=" + Sni)}{(InsecureSkipVerify ? " insecureSkipVerify" : string.Empty)}";

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // ca.crt and ca.crl are optional in a TLS secret: absent means the OS store / no CRL. Checked when the
    // settings are made; a file that appears later is picked up when the settings are made again (a reload).
    private static string? OptionalFile(string path) => File.Exists(path) ? path : null;
}
