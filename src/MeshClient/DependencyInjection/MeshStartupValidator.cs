using MeshClient.Configuration;
using MeshClient.Runtime;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Makes <c>ValidateOnStart</c> build the runtime when the host starts, so an invalid configuration
/// fails start-up with every error listed, not the first request. Validation lives in the runtime
/// (not in an options validator) so that a bad reload is logged instead of thrown from a change callback.
/// </summary>
internal sealed class MeshStartupValidator(IServiceProvider services) : IValidateOptions<MeshStartupValidator.Marker>
{
    public ValidateOptionsResult Validate(string? name, Marker options)
    {
        try
        {
            _ = services.GetRequiredService<MeshRuntime>();
            return ValidateOptionsResult.Success;
        }
        catch (MeshConfigurationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Errors);
        }
    }

    internal sealed class Marker;
}
