using MeshClient.Connections;

namespace MeshClient.Configuration;

/// <summary>
/// Validates a service's TLS settings (Istio <c>trafficPolicy.tls</c> and <c>portLevelSettings[].tls</c>):
/// Istio's <c>validateTLS</c> rules and messages, MeshClient's own limit (<c>ISTIO_MUTUAL</c>), and the
/// certificate files themselves, loaded here so that a file that is not valid PEM fails up front (a
/// reload keeps the last good configuration). A file that does not exist or cannot be read is a warning:
/// the cluster fails closed until it appears (see <see cref="TlsMaterial.Unavailable"/>). Messages name
/// paths, never file contents.
/// </summary>
internal static class TlsOptionsValidator
{
    private const int MaxPort = 65535;

    /// <summary>The service's <c>trafficPolicy</c> and each subset's.</summary>
    public static void ValidateService(ExternalServiceOptions service, ServiceFindings findings, string? credentialsDirectory, IMeshCredentialProvider? provider = null)
    {
        Validate(service.TrafficPolicy, "trafficPolicy", findings, credentialsDirectory, provider);
        for (var i = 0; i < service.Subsets.Count; i++)
        {
            Validate(service.Subsets[i]?.TrafficPolicy, $"subsets[{i}].trafficPolicy", findings, credentialsDirectory, provider);
        }
    }

    public static void Validate(TrafficPolicyOptions? policy, string path, ServiceFindings findings, string? credentialsDirectory, IMeshCredentialProvider? provider = null)
    {
        if (policy is null)
        {
            return;
        }

        Validate(policy.Tls, path + ".tls", findings, credentialsDirectory, provider);
        var seen = new HashSet<int>();
        for (var i = 0; i < policy.PortLevelSettings.Count; i++)
        {
            var levelPath = $"{path}.portLevelSettings[{i}]";
            if (policy.PortLevelSettings[i] is not { } level)
            {
                findings.Error(levelPath, " must not be null.");
                continue;
            }

            if (level.Port is < 1 or > MaxPort)
            {
                findings.Error(levelPath + ".port", FormattableString.Invariant($" port number {level.Port} must be between 1-65535."));
            }
            else if (!seen.Add(level.Port))
            {
                findings.Warning(levelPath + ".port", FormattableString.Invariant($" {level.Port} is repeated: the first entry for the port applies."));
            }
            else if (!HasPort(findings.Service, level.Port))
            {
                findings.Warning(levelPath + ".port", FormattableString.Invariant($" {level.Port} is not a port of the service, so these settings apply to nothing."));
            }

            Validate(level.Tls, levelPath + ".tls", findings, credentialsDirectory, provider);
        }
    }

    private static void Validate(TlsOptions? tls, string path, ServiceFindings findings, string? credentialsDirectory, IMeshCredentialProvider? provider)
    {
        if (provider is MeshDirectoryCredentialProvider { Root: { } root })
        {
            credentialsDirectory = root;
        }

        if (tls is null)
        {
            return;
        }

        var errors = 0;
        void Error(string field, string rest)
        {
            errors++;
            findings.Error(field, rest);
        }

        switch (tls.Mode)
        {
            case TlsMode.Disable:
                if (tls.InsecureSkipVerify)
                {
                    Error(path + ".insecureSkipVerify", ": cannot set InsecureSkipVerify to true with TLS mode DISABLE.");
                }

                return;
            case TlsMode.IstioMutual:
                Error(path + ".mode", " ISTIO_MUTUAL is not supported: it needs the workload certificates istiod issues to sidecars, which an application outside the mesh does not have. Use MUTUAL with clientCertificate and privateKey (or credentialName) to present your own certificate, or SIMPLE.");
                return;
            case TlsMode.Simple or TlsMode.Mutual:
                break;
            default:
                Error(path + ".mode", $" '{tls.Mode}' is not a TLS mode; use DISABLE, SIMPLE or MUTUAL.");
                return;
        }

        var hasCredential = !string.IsNullOrEmpty(tls.CredentialName);
        if (hasCredential)
        {
            if (!string.IsNullOrEmpty(tls.ClientCertificate) || !string.IsNullOrEmpty(tls.PrivateKey) || !string.IsNullOrEmpty(tls.CaCertificates) || !string.IsNullOrEmpty(tls.CaCrl))
            {
                Error(path + ".credentialName", ": cannot specify client certificates or CA certificate or CA CRL If credentialName is set.");
            }
            else if (!TlsSettings.IsCustom(provider) && !Directory.Exists(TlsSettings.CredentialDirectory(tls.CredentialName!, credentialsDirectory)))
            {
                Error(path + ".credentialName", $" '{DiagnosticText.Cut(tls.CredentialName!)}': directory '{DiagnosticText.Cut(TlsSettings.CredentialDirectory(tls.CredentialName!, credentialsDirectory), 500)}' does not exist (a credential is a directory in the Kubernetes TLS secret layout: {TlsSettings.CertificateFile}, {TlsSettings.KeyFile}, optional {TlsSettings.CaFile} and {TlsSettings.CrlFile}; see MeshOptions.CredentialsDirectory).");
            }
        }
        else if (tls.Mode == TlsMode.Mutual)
        {
            if (string.IsNullOrEmpty(tls.ClientCertificate))
            {
                Error(path + ".clientCertificate", ": client certificate required for mutual tls.");
            }

            if (string.IsNullOrEmpty(tls.PrivateKey))
            {
                Error(path + ".privateKey", ": private key required for mutual tls.");
            }
        }
        else if (!string.IsNullOrEmpty(tls.ClientCertificate) || !string.IsNullOrEmpty(tls.PrivateKey))
        {
            findings.Warning(path + ".clientCertificate", " and privateKey are ignored with TLS mode SIMPLE: only MUTUAL presents a client certificate.");
        }

        if (tls.InsecureSkipVerify)
        {
            findings.Warning(path + ".insecureSkipVerify", " is true: server certificates are not checked at all (no CA, no subjectAltNames, no CRL). Never use it in production.");
        }

        if (tls.Sni is { Length: > 0 } sni && Uri.CheckHostName(sni) is not (UriHostNameType.Dns))
        {
            Error(path + ".sni", $" '{DiagnosticText.Cut(sni)}' is not a DNS name.");
        }

        if (errors > 0)
        {
            return;
        }

        // The files (or the provider's credential), as the cluster will load them.
        // A file that does not exist (or cannot be read) on this machine is a warning, as Istio does not
        // look at files when it validates: the cluster fails closed (503 UF) until the file appears. A
        // file that is there but is not what the field needs is an error.
        var settings = TlsSettings.From(tls, findings.Service.SubjectAltNames, credentialsDirectory, MeshDefaults.CertificateRefreshInterval, provider)!;
        foreach (var missing in TlsMaterial.UnavailableFiles(settings))
        {
            findings.Warning($"{path}.{missing.Field}", $" {missing.Detail}; connections to this service fail with 503 UF until it appears.");
            settings = missing.Field switch
            {
                "caCertificates" => settings with { CaCertificates = null },
                "clientCertificate" => settings with { ClientCertificate = null },
                "privateKey" => settings with { PrivateKey = null },
                "caCrl" => settings with { CaCrl = null },
                _ => settings, // credentialName: its files are checked as far as they are there
            };
        }

        try
        {
            TlsMaterial.Load(settings);
        }
        catch (TlsMaterialException ex) when (!ex.FileUnavailable)
        {
            findings.Error($"{path}.{ex.Field}", " " + ex.Detail);
        }
        catch (TlsMaterialException)
        {
            // A file of a credentialName that disappeared between the two looks: warned about above, or next time.
        }
    }

    private static bool HasPort(ExternalServiceOptions service, int port)
    {
        foreach (var declared in service.Ports)
        {
            if (declared?.Number == port)
            {
                return true;
            }
        }

        return false;
    }
}
