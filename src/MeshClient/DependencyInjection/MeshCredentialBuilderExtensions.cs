using MeshClient.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Where the <c>credentialName</c> of TLS settings comes from.</summary>
public static class MeshCredentialBuilderExtensions
{
    /// <summary>
    /// Resolves <see cref="TlsOptions.CredentialName"/> through <typeparamref name="TProvider"/> (a singleton
    /// from the container) instead of the default <see cref="MeshDirectoryCredentialProvider"/>. It replaces
    /// a provider registered before.
    /// </summary>
    /// <typeparam name="TProvider">The provider type.</typeparam>
    /// <param name="builder">The mesh builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IMeshBuilder AddCredentialProvider<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(this IMeshBuilder builder)
        where TProvider : class, IMeshCredentialProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TProvider>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IMeshCredentialProvider>(static provider => provider.GetRequiredService<TProvider>()));
        return builder;
    }

    /// <summary>
    /// Resolves <see cref="TlsOptions.CredentialName"/> through <paramref name="provider"/> instead of the
    /// default <see cref="MeshDirectoryCredentialProvider"/>. It replaces a provider registered before.
    /// </summary>
    /// <param name="builder">The mesh builder.</param>
    /// <param name="provider">The provider.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="provider"/> is <see langword="null"/>.</exception>
    public static IMeshBuilder AddCredentialProvider(this IMeshBuilder builder, IMeshCredentialProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        builder.Services.Replace(ServiceDescriptor.Singleton(provider));
        return builder;
    }
}
