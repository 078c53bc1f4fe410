namespace MeshClient.Configuration;

/// <summary>Validates a mesh configuration without running it, for tools such as <c>meshclient validate</c>.</summary>
public static class MeshConfigurationValidator
{
    /// <summary>
    /// Validates <paramref name="options"/> with the rules the runtime applies, including the
    /// findings its sources reported in <see cref="MeshOptions.SourceDiagnostics"/>.
    /// </summary>
    /// <param name="options">The options to check.</param>
    /// <returns>Every error and warning, in order; no errors means the runtime accepts the configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<MeshConfigurationDiagnostic> Validate(MeshOptions options) => MeshOptionsValidator.Validate(options);
}
