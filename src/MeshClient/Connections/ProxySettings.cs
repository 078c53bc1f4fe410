using System.Net;
using MeshClient.Configuration;
using MeshClient.Model;

namespace MeshClient.Connections;

/// <summary>
/// The egress proxy of a cluster, part of its <see cref="WireSettings"/> (a change replaces the pools).
/// Compared by value; <see cref="ToString"/> never shows the credentials.
/// </summary>
internal sealed record ProxySettings
{
    /// <summary>The credential files of a <see cref="EgressProxyOptions.CredentialName"/> directory (Kubernetes basic-auth secret keys).</summary>
    internal const string UserNameFile = "username";

    internal const string PasswordFile = "password";

    public required Uri Address { get; init; }

    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>The port the proxy connects to on the external host (the service port's <c>targetPort</c>), or <see langword="null"/> for the request's.</summary>
    public int? TargetPort { get; init; }

    /// <summary>
    /// The hosts that go direct instead of through the proxy (<see cref="EgressProxyOptions.NoProxy"/>):
    /// only for the passthrough cluster, which decides per request; a service's cluster decided when it was built.
    /// </summary>
    public string[] NoProxy { get; init; } = [];

    /// <summary>The cluster's one endpoint: the proxy (an IP address, or a name resolved when a connection opens).</summary>
    public EndpointDefinition Endpoint =>
        IPAddress.TryParse(Address.IdnHost, out var ip)
            ? new EndpointDefinition(ip, Address.Port, 1, null)
            : new EndpointDefinition(Address.IdnHost, Address.Port, 1, null);

    /// <summary>The credentials, or <see langword="null"/> for none.</summary>
    public NetworkCredential? Credentials => UserName is null ? null : new NetworkCredential(UserName, Password);

    /// <summary>
    /// Settings from validated options; a <see cref="EgressProxyOptions.CredentialName"/> is resolved now, by
    /// <paramref name="provider"/> when the application registered one, else from the files of its directory.
    /// </summary>
    /// <exception cref="IOException">A credential file cannot be read (validation checked that it exists).</exception>
    /// <exception cref="InvalidOperationException">The provider no longer knows the credential, or it has no user name.</exception>
    public static ProxySettings From(EgressProxyOptions options, int? targetPort, string? credentialsDirectory, IMeshCredentialProvider? provider = null)
    {
        var userName = options.UserName;
        var password = options.Password;
        if (!string.IsNullOrEmpty(options.CredentialName))
        {
            (userName, password) = Credential(options.CredentialName, credentialsDirectory, provider);
        }

        return new ProxySettings
        {
            Address = new Uri(options.Address!, UriKind.Absolute),
            UserName = string.IsNullOrEmpty(userName) ? null : userName,
            Password = password,
            TargetPort = targetPort,
        };
    }

    /// <summary>
    /// The user name and password of the proxy credential <paramref name="name"/>: through a registered
    /// provider, else the <c>username</c> and <c>password</c> files of its directory (under the default
    /// provider's root, or <paramref name="credentialsDirectory"/>).
    /// </summary>
    internal static (string? UserName, string? Password) Credential(string name, string? credentialsDirectory, IMeshCredentialProvider? provider)
    {
        if (TlsSettings.IsCustom(provider))
        {
            var credential = provider.GetCredential(name) ?? throw new InvalidOperationException($"The credential provider does not know the egress proxy credential '{name}'.");
            return string.IsNullOrEmpty(credential.UserName)
                ? throw new InvalidOperationException($"The egress proxy credential '{name}' has no user name.")
                : (credential.UserName, credential.Password ?? string.Empty);
        }

        var directory = TlsSettings.CredentialDirectory(name, (provider as MeshDirectoryCredentialProvider)?.Root ?? credentialsDirectory);
        return (MeshDirectoryCredentialProvider.ReadLine(directory, UserNameFile), MeshDirectoryCredentialProvider.ReadLine(directory, PasswordFile));
    }

    /// <summary>Whether a request to <paramref name="host"/> goes direct (<see cref="NoProxy"/>).</summary>
    public bool Bypasses(string host) => NoProxy.Length > 0 && Model.EgressProxyClusters.Bypasses(NoProxy, host);

    /// <summary>Equal settings build the same pools (the exclusions compared entry by entry).</summary>
    public bool Equals(ProxySettings? other) =>
        other is not null
        && Address == other.Address
        && UserName == other.UserName
        && Password == other.Password
        && TargetPort == other.TargetPort
        && NoProxy.SequenceEqual(other.NoProxy, StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Address, UserName, TargetPort, NoProxy.Length);

    /// <inheritdoc />
    public override string ToString() => UserName is null ? Address.GetLeftPart(UriPartial.Authority) : Address.GetLeftPart(UriPartial.Authority) + " (with credentials)";
}
