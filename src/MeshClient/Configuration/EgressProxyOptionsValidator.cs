namespace MeshClient.Configuration;

/// <summary>
/// Validates <see cref="EgressProxyOptions"/>, mesh-wide (<c>egressProxy.address</c>) or a service's
/// (<c>External service 'api.example.com': egressProxy.address …</c>). Messages never show a password.
/// </summary>
internal static class EgressProxyOptionsValidator
{
    public static void ValidateMesh(MeshOptions options, List<MeshConfigurationDiagnostic> results, IMeshCredentialProvider? credentials = null)
    {
        if (options.EgressProxy is { } proxy)
        {
            Validate(proxy, "egressProxy", meshWide: true, options.CredentialsDirectory, credentials, (path, rest) => results.Add(MeshConfigurationDiagnostic.Error(path + rest)));
        }
    }

    public static void ValidateService(ExternalServiceOptions service, ServiceFindings findings, string? credentialsDirectory, IMeshCredentialProvider? credentials = null)
    {
        if (service.EgressProxy is { } proxy)
        {
            Validate(proxy, "egressProxy", meshWide: false, credentialsDirectory, credentials, findings.Error);
        }
    }

    private static void Validate(EgressProxyOptions proxy, string path, bool meshWide, string? credentialsDirectory, IMeshCredentialProvider? credentials, Action<string, string> error)
    {
        var address = proxy.Address;
        if (string.IsNullOrWhiteSpace(address))
        {
            error(path + ".address", " is required: the proxy's http:// URI, such as 'http://proxy.example.com:3128'.");
        }
        else if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.IdnHost.Length == 0)
        {
            error(path + ".address", $" must be an absolute http:// URI with the proxy's host and port (was '{DiagnosticText.Cut(Redacted(address))}'){(uri?.Scheme == Uri.UriSchemeHttps ? HttpsProxyReason : null)}.");
        }
        else if (uri.UserInfo.Length > 0)
        {
            error(path + ".address", " must not carry credentials: set userName and password, or credentialName.");
        }
        else if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            error(path + ".address", $" must be the proxy's scheme, host and port only (was '{DiagnosticText.Cut(address)}').");
        }

        var hasUser = !string.IsNullOrEmpty(proxy.UserName);
        if (hasUser && proxy.Password is null)
        {
            error(path + ".password", " is required with userName.");
        }
        else if (!hasUser && proxy.Password is not null)
        {
            error(path + ".userName", " is required with password.");
        }

        if (!string.IsNullOrEmpty(proxy.CredentialName))
        {
            if (hasUser || proxy.Password is not null)
            {
                error(path + ".credentialName", " cannot be set with userName or password: choose one.");
            }
            else if (Connections.TlsSettings.IsCustom(credentials))
            {
                ValidateProvided(proxy.CredentialName, path + ".credentialName", credentials, error);
            }
            else
            {
                var directory = Connections.TlsSettings.CredentialDirectory(proxy.CredentialName, (credentials as MeshDirectoryCredentialProvider)?.Root ?? credentialsDirectory);
                foreach (var file in (ReadOnlySpan<string>)[Connections.ProxySettings.UserNameFile, Connections.ProxySettings.PasswordFile])
                {
                    if (!File.Exists(Path.Combine(directory, file)))
                    {
                        error(path + ".credentialName", $" '{DiagnosticText.Cut(proxy.CredentialName)}': file '{DiagnosticText.Cut(Path.Combine(directory, file))}' not found (the directory holds files 'username' and 'password').");
                    }
                }
            }
        }

        if (!meshWide && proxy.NoProxy.Count > 0)
        {
            error(path + ".noProxy", " applies to the mesh-wide proxy only; a service's proxy is used for all of its hosts.");
        }

        for (var i = 0; i < proxy.NoProxy.Count; i++)
        {
            var entry = proxy.NoProxy[i];
            if (string.IsNullOrWhiteSpace(entry) || entry.AsSpan().IndexOfAny(" \t/:@") >= 0 || (entry.Contains('*', StringComparison.Ordinal) && entry != "*" && !entry.StartsWith("*.", StringComparison.Ordinal)))
            {
                error($"{path}.noProxy[{i}]", $" '{DiagnosticText.Cut(entry ?? string.Empty)}' is not a host suffix: write 'example.com', '.example.com', '*.example.com' or '*'.");
            }
        }
    }

    /// <summary>
    /// Why an <c>https://</c> proxy is refused. <c>SocketsHttpHandler</c> can speak TLS to a proxy (.NET 8+), but it
    /// checks the proxy's certificate with the same callback as the external host's; MeshClient has no CA
    /// option for the proxy yet.
    /// </summary>
    private const string HttpsProxyReason = ": TLS to the proxy itself (an https:// proxy) is not supported yet; https:// requests still reach the external host through an http:// proxy in a CONNECT tunnel, with TLS end to end";

    /// <summary>The address without what could be a password (user info).</summary>
    private static string Redacted(string address)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        var scheme = address.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? string.Concat(address.AsSpan(0, scheme + 3), "***", address.AsSpan(at)) : address;
    }

    /// <summary>A proxy credential the application's <see cref="IMeshCredentialProvider"/> serves: it must know it, with a user name.</summary>
    private static void ValidateProvided(string name, string path, IMeshCredentialProvider provider, Action<string, string> error)
    {
        MeshCredential? credential;
        try
        {
            credential = provider.GetCredential(name);
        }
#pragma warning disable CA1031 // Reported as the field's error: the configuration is rejected, not the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error(path, $" '{DiagnosticText.Cut(name)}': the credential provider failed: {DiagnosticText.Cut(ex.Message)}");
            return;
        }

        if (credential is null)
        {
            error(path, $" '{DiagnosticText.Cut(name)}': the credential provider ({provider.GetType().Name}) does not know it.");
        }
        else if (string.IsNullOrEmpty(credential.UserName))
        {
            error(path, $" '{DiagnosticText.Cut(name)}': the credential has no user name (an egress proxy's credential is a basic-auth secret: username and password).");
        }
    }
}
