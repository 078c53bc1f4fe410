using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MeshClient.Connections;

/// <summary>
/// The X.509 CRLs of a <c>caCrl</c> file (RFC 5280 §5; .NET has no public reader): for each, the
/// issuer, the update times, the revoked serial numbers and the signed bytes, so that a CRL is only
/// believed when its issuer's key verifies it.
/// </summary>
internal sealed class CertificateRevocationList
{
    private readonly Entry[] _entries;

    private CertificateRevocationList(Entry[] entries) => _entries = entries;

    /// <summary>Reads every CRL of a PEM file (<c>-----BEGIN X509 CRL-----</c>), or one DER CRL.</summary>
    /// <exception cref="CryptographicException">The content is not a CRL.</exception>
    public static CertificateRevocationList Load(byte[] content)
    {
        var entries = new List<Entry>();
        var text = Encoding.ASCII.GetString(content);
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("X509 CRL"))
            {
                entries.Add(Parse(Convert.FromBase64String(rest[fields.Base64Data].ToString())));
            }

            rest = rest[fields.Location.End..];
        }

        if (entries.Count == 0)
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                throw new CryptographicException("No -----BEGIN X509 CRL----- block.");
            }

            entries.Add(Parse(content));
        }

        return new CertificateRevocationList([.. entries]);
    }

    /// <summary>
    /// Why <paramref name="certificate"/> (issued by <paramref name="issuer"/>) must be rejected under
    /// these CRLs, or <see langword="null"/>: listed as revoked by a CRL its issuer signed, or the
    /// issuer's CRL is expired or not signed by the issuer (fail closed, as OpenSSL in Envoy).
    /// </summary>
    public string? Check(X509Certificate2 certificate, X509Certificate2 issuer, DateTime utcNow)
    {
        foreach (var entry in _entries)
        {
            if (!entry.Issuer.SequenceEqual(certificate.IssuerName.RawData))
            {
                continue;
            }

            if (!entry.VerifySignature(issuer))
            {
                return $"the CRL of '{issuer.Subject}' is not signed by it";
            }

            if (entry.NextUpdate is { } next && next < utcNow)
            {
                return FormattableString.Invariant($"the CRL of '{issuer.Subject}' expired at {next:u}");
            }

            var serial = Trim(certificate.SerialNumberBytes.Span);
            foreach (var revoked in entry.Revoked)
            {
                if (revoked.AsSpan().SequenceEqual(serial))
                {
                    return $"certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) is revoked by the CRL of '{issuer.Subject}'";
                }
            }
        }

        return null;
    }

    private static Entry Parse(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var list = reader.ReadSequence();
            var tbsBytes = list.PeekEncodedValue().ToArray();
            var tbs = list.ReadSequence();
            var signatureAlgorithm = list.ReadSequence().ReadObjectIdentifier();
            var signature = list.ReadBitString(out _);

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger(); // version
            }

            tbs.ReadSequence(); // signature algorithm, repeated
            var issuer = tbs.ReadEncodedValue().ToArray();
            ReadTime(tbs); // thisUpdate
            DateTime? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                nextUpdate = ReadTime(tbs);
            }

            var revoked = new List<byte[]>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(Trim(entry.ReadIntegerBytes().Span).ToArray());
                }
            }

            return new Entry(issuer, nextUpdate, [.. revoked], tbsBytes, signatureAlgorithm, signature);
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException("Not a DER certificate revocation list.", ex);
        }
    }

    private static DateTime ReadTime(AsnReader reader) =>
        (reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime()).UtcDateTime;

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> serial)
    {
        while (serial.Length > 1 && serial[0] == 0)
        {
            serial = serial[1..];
        }

        return serial;
    }

    private sealed record Entry(byte[] Issuer, DateTime? NextUpdate, byte[][] Revoked, byte[] Signed, string Algorithm, byte[] Signature)
    {
        public bool VerifySignature(X509Certificate2 issuer)
        {
            var hash = Algorithm switch
            {
                "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
                "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
                "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
                "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
                _ => default,
            };
            if (hash.Name is null)
            {
                return false;
            }

            using var rsa = issuer.GetRSAPublicKey();
            if (rsa is not null)
            {
                return rsa.VerifyData(Signed, Signature, hash, RSASignaturePadding.Pkcs1);
            }

            using var ecdsa = issuer.GetECDsaPublicKey();
            return ecdsa is not null && ecdsa.VerifyData(Signed, Signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
    }
}
