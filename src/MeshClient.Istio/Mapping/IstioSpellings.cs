namespace MeshClient.Istio.Mapping;

/// <summary>
/// Lists the Istio spellings of an enum for error messages, through <see cref="Configuration.IstioNames"/>
/// so that the spellings stay in that one mapper.
/// </summary>
internal static class IstioSpellings
{
    public static string Of<TEnum>(Func<TEnum, string> format)
        where TEnum : struct, Enum
    {
        var names = new List<string>();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            var name = format(value);
            if (name.Length > 0)
            {
                names.Add(name);
            }
        }

        return string.Join(", ", names);
    }
}
