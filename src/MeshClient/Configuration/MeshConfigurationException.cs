namespace MeshClient.Configuration;

/// <summary>The mesh configuration is invalid; <see cref="Errors"/> lists every error found.</summary>
public sealed class MeshConfigurationException : Exception
{
    /// <summary>Creates the exception with no errors listed.</summary>
    public MeshConfigurationException()
        : this("The mesh configuration is invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public MeshConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MeshConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Creates the exception from the errors found.</summary>
    /// <param name="errors">Every error found, in order.</param>
    public MeshConfigurationException(IReadOnlyList<string> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Gets every error found, in order.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string FormatMessage(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 1
            ? "The mesh configuration is invalid: " + errors[0]
            : $"The mesh configuration is invalid ({errors.Count} errors):{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", errors);
    }
}
