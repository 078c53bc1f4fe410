using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MeshClient.Connections;

/// <summary>
/// Checks a server certificate as Envoy's validation context does under Istio's <c>ClientTLSSettings</c>:
/// the chain against <c>caCertificates</c> only (or the OS store), the names against
/// <c>subjectAltNames</c> (exact; a wildcard certificate name covers a configured host) or else the
/// expected name (the SNI: the host unless <c>sni</c> is set), then the CRL. Returns why it failed, so
/// that the failure names it; nothing is accepted by default.
/// </summary>
internal static class ServerCertificateValidator
{
    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>The reason to reject, or <see langword="null"/> to accept.</summary>
    public static string? Check(TlsSettings settings, TlsMaterial material, X509Certificate? presented, X509Chain? presentedChain, string expectedName, DateTime utcNow)
    {
        if (material.Unavailable is { } missing)
        {
            return missing; // fail closed, even with insecureSkipVerify: the configured files are not there
        }

        if (settings.InsecureSkipVerify)
        {
            return null;
        }

        if (presented is null)
        {
            return "the server sent no certificate";
        }

        var certificate = presented as X509Certificate2 ?? new X509Certificate2(presented);
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.RevocationMode = X509RevocationMode.NoCheck; // the CRL, when configured, is checked below
        policy.VerificationTime = utcNow.ToLocalTime();
        if (presentedChain is not null)
        {
            // The intermediates the server sent.
            policy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }

        if (material.Trust is { } trust)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(trust);
        }

        if (!chain.Build(certificate))
        {
            return $"certificate '{certificate.Subject}' is not trusted ({Describe(chain)}) by {(material.Trust is null ? "the OS trust store" : "caCertificates")}";
        }

        if (NameProblem(settings, certificate, expectedName) is { } nameProblem)
        {
            return nameProblem;
        }

        if (material.Crl is { } crl)
        {
            var elements = chain.ChainElements;
            for (var i = 0; i + 1 < elements.Count; i++)
            {
                if (crl.Check(elements[i].Certificate, elements[i + 1].Certificate, utcNow) is { } revoked)
                {
                    return revoked;
                }
            }
        }

        return null;
    }

    /// <summary>The SAN check: any configured name, or the expected name (Envoy's auto SAN validation).</summary>
    private static string? NameProblem(TlsSettings settings, X509Certificate2 certificate, string expectedName)
    {
        if (settings.SubjectAltNames.Count == 0)
        {
            return Matches(certificate, expectedName)
                ? null
                : $"certificate '{certificate.Subject}' is not valid for '{expectedName}' (its names: {string.Join(", ", Names(certificate))})";
        }

        foreach (var name in settings.SubjectAltNames)
        {
            if (Matches(certificate, name))
            {
                return null;
            }
        }

        return $"certificate '{certificate.Subject}' carries none of subjectAltNames {string.Join(", ", settings.SubjectAltNames)} (its names: {string.Join(", ", Names(certificate))})";
    }

    private static bool Matches(X509Certificate2 certificate, string name)
    {
        if (name.Contains("://", StringComparison.Ordinal))
        {
            foreach (var san in Names(certificate))
            {
                if (string.Equals(san, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        try
        {
            return certificate.MatchesHostname(name, allowWildcards: true, allowCommonName: false);
        }
        catch (ArgumentException)
        {
            return false; // not a host name
        }
    }

    /// <summary>The certificate's DNS, IP and URI names, for messages and URI matching.</summary>
    private static List<string> Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        if (certificate.Extensions[SubjectAltNameOid] is not { } extension)
        {
            return names;
        }

        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var tag = reader.PeekTag();
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue is 2 or 6)
                {
                    names.Add(Encoding.ASCII.GetString(reader.ReadOctetString(tag)));
                }
                else if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 7)
                {
                    names.Add(new System.Net.IPAddress(reader.ReadOctetString(tag)).ToString());
                }
                else
                {
                    reader.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension: no names.
        }

        return names;
    }

    private static string Describe(X509Chain chain)
    {
        var statuses = new List<string>();
        foreach (var status in chain.ChainStatus)
        {
            var text = status.Status.ToString();
            if (!statuses.Contains(text))
            {
                statuses.Add(text);
            }
        }

        return statuses.Count == 0 ? "no chain" : string.Join(", ", statuses);
    }

    /// <summary>The expected name of a handshake on <paramref name="sender"/> (an <see cref="SslStream"/>).</summary>
    public static string TargetHost(object sender) => sender is SslStream { TargetHostName: { } host } ? host : string.Empty;
}
