using MeshClient.Configuration;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Lets configuration (<c>appsettings.json</c>) spell enum values as Istio does (<c>DNS_ROUND_ROBIN</c>)
/// as well as by their C# names (<c>DnsRoundRobin</c>, any case): Istio spellings are rewritten to the
/// C# names before the binder sees them, through <see cref="IstioNames"/> (the one mapper), and a value
/// that is neither is reported with the key and every accepted value.
/// </summary>
internal static class MeshConfigurationSpellings
{
    private static readonly EnumSpelling Outbound = new EnumSpelling<OutboundTrafficPolicy>("outbound traffic policy", IstioNames.TryParseOutboundTrafficPolicy, IstioNames.Format);
    private static readonly EnumSpelling FailureMode = new EnumSpelling<MeshFailureMode>("failure mode", null, null);
    private static readonly EnumSpelling LookupFamily = new EnumSpelling<DnsLookupFamily>("DNS lookup family", null, null);
    private static readonly EnumSpelling Location = new EnumSpelling<ServiceLocation>("location", IstioNames.TryParseLocation, IstioNames.Format);
    private static readonly EnumSpelling Resolution = new EnumSpelling<ServiceResolution>("resolution", IstioNames.TryParseResolution, IstioNames.Format);
    private static readonly EnumSpelling Protocol = new EnumSpelling<ServiceProtocol>("port protocol", IstioNames.TryParseProtocol, IstioNames.Format);
    private static readonly EnumSpelling LoadBalancer = new EnumSpelling<LoadBalancerAlgorithm>("load-balancing algorithm", IstioNames.TryParseLoadBalancer, IstioNames.Format);
    private static readonly EnumSpelling PoolScope = new EnumSpelling<ConnectionPoolScope>("connection-pool scope", null, null);
    private static readonly EnumSpelling H2Upgrade = new EnumSpelling<H2UpgradePolicy>("HTTP/2 upgrade policy", IstioNames.TryParseH2UpgradePolicy, IstioNames.Format);

    private static readonly EnumSpelling Tls = new EnumSpelling<TlsMode>("TLS mode", IstioNames.TryParseTlsMode, IstioNames.Format);
    private static readonly EnumSpelling ProxyProtocol = new EnumSpelling<ProxyProtocolVersion>("PROXY protocol version", null, null);
    private static readonly EnumSpelling DerivePort = new EnumSpelling<RedirectPortSelection>("redirect port selection", RedirectPortNames.TryParse, RedirectPortNames.Format);

    private static readonly EnumSpelling Propagation = new FlagsSpelling<TracePropagation>("trace propagation");

    /// <summary>Gets the enum-valued keys of an <see cref="ExternalServiceOptions"/> section; <c>*</c> is a list index.</summary>
    public static EnumField[] ExternalServiceFields { get; } =
    [
        new("Location", Location),
        new("Resolution", Resolution),
        new("Ports:*:Protocol", Protocol),
        new("TrafficPolicy:LoadBalancer:Simple", LoadBalancer),
        new("TrafficPolicy:ConnectionPool:Scope", PoolScope),
        new("Subsets:*:TrafficPolicy:LoadBalancer:Simple", LoadBalancer),
        new("Subsets:*:TrafficPolicy:ConnectionPool:Scope", PoolScope),
        new("TrafficPolicy:ConnectionPool:Http:H2UpgradePolicy", H2Upgrade),
        new("Subsets:*:TrafficPolicy:ConnectionPool:Http:H2UpgradePolicy", H2Upgrade),
        new("TrafficPolicy:PortLevelSettings:*:LoadBalancer:Simple", LoadBalancer),
        new("Subsets:*:TrafficPolicy:PortLevelSettings:*:LoadBalancer:Simple", LoadBalancer),
        new("TrafficPolicy:PortLevelSettings:*:ConnectionPool:Scope", PoolScope),
        new("TrafficPolicy:PortLevelSettings:*:ConnectionPool:Http:H2UpgradePolicy", H2Upgrade),
        new("Subsets:*:TrafficPolicy:PortLevelSettings:*:ConnectionPool:Scope", PoolScope),
        new("Subsets:*:TrafficPolicy:PortLevelSettings:*:ConnectionPool:Http:H2UpgradePolicy", H2Upgrade),
        new("TrafficPolicy:Tls:Mode", Tls),
        new("TrafficPolicy:PortLevelSettings:*:Tls:Mode", Tls),
        new("Subsets:*:TrafficPolicy:Tls:Mode", Tls),
        new("Subsets:*:TrafficPolicy:PortLevelSettings:*:Tls:Mode", Tls),
        new("TrafficPolicy:ProxyProtocol:Version", ProxyProtocol),
        new("Subsets:*:TrafficPolicy:ProxyProtocol:Version", ProxyProtocol),
        new("Fallback:OnFlags", MeshClient.Fallback.ResponseFlagsSpelling.Instance),
        new("TracePropagation", Propagation),
        new("Http:*:Redirect:DerivePort", DerivePort),
    ];

    /// <summary>Gets the enum-valued keys of a <see cref="MeshOptions"/> section; <c>*</c> is a list index.</summary>
    public static EnumField[] MeshFields { get; } =
    [
        new("OutboundTrafficPolicy", Outbound),
        new("FailureMode", FailureMode),
        new("Dns:LookupFamily", LookupFamily),
        new("Telemetry:Propagation", Propagation),
        .. ExternalServiceFields.Select(static f => new EnumField("ExternalServices:*:" + f.Path, f.Spelling)),
    ];

    /// <summary>
    /// Returns the configuration to bind: <paramref name="configuration"/> itself when every enum value
    /// is already a C# name, otherwise an in-memory copy with Istio spellings replaced by the C# names
    /// and invalid values left out, each reported in <paramref name="errors"/>.
    /// </summary>
    public static IConfiguration Normalize(IConfiguration configuration, EnumField[] fields, List<string> errors)
    {
        // AsEnumerable without relative paths keeps the full keys, so the copy reports the same paths
        // in the binder's own messages; the fields are matched on the part below the section.
        var prefixLength = configuration is IConfigurationSection section ? section.Path.Length + 1 : 0;
        var data = new List<KeyValuePair<string, string?>>();
        var changed = false;
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            // The binder leaves an empty enum value alone; so do we.
            var field = string.IsNullOrEmpty(value) || key.Length <= prefixLength ? null : Find(fields, key[prefixLength..]);
            if (field is null)
            {
                data.Add(new(key, value));
                continue;
            }

            var name = field.Spelling.ToCSharpName(value!);
            if (name is null)
            {
                errors.Add($"{key}: {field.Spelling.Describe(value!)}");
                changed = true;
            }
            else
            {
                data.Add(new(key, name));
                changed |= !string.Equals(name, value, StringComparison.OrdinalIgnoreCase);
            }
        }

        if (!changed)
        {
            return configuration;
        }

        var copy = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
        return configuration is IConfigurationSection original ? copy.GetSection(original.Path) : copy;
    }

    private static EnumField? Find(EnumField[] fields, string relativeKey)
    {
        var segments = relativeKey.Split(ConfigurationPath.KeyDelimiter);
        foreach (var field in fields)
        {
            if (field.Matches(segments))
            {
                return field;
            }
        }

        return null;
    }

    private static string JoinOr(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 1 ? list[0] : $"{string.Join(", ", list.Take(list.Count - 1))} or {list[^1]}";
    }

    /// <summary>An enum-valued key and how its values are spelled.</summary>
    /// <param name="path">The key below the bound section, for example <c>Ports:*:Protocol</c>.</param>
    /// <param name="spelling">The accepted spellings.</param>
    internal sealed class EnumField(string path, EnumSpelling spelling)
    {
        private readonly string[] _segments = path.Split(ConfigurationPath.KeyDelimiter);

        public string Path => path;

        public EnumSpelling Spelling => spelling;

        public bool Matches(string[] segments)
        {
            if (segments.Length != _segments.Length)
            {
                return false;
            }

            for (var i = 0; i < segments.Length; i++)
            {
                if (_segments[i] != "*" && !string.Equals(_segments[i], segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The accepted spellings of one enum: its C# names (any case) and, when it has them, Istio's.</summary>
    internal abstract class EnumSpelling
    {
        /// <summary>Gets the C# name for a spelling, or <see langword="null"/> when the text is neither spelling.</summary>
        public abstract string? ToCSharpName(string text);

        /// <summary>Gets the message for an invalid value, listing every accepted value.</summary>
        public abstract string Describe(string text);
    }

    private delegate bool IstioParser<TEnum>(string? text, out TEnum value);

    private sealed class EnumSpelling<TEnum>(string noun, IstioParser<TEnum>? parseIstio, Func<TEnum, string>? formatIstio) : EnumSpelling
        where TEnum : struct, Enum
    {
        public override string? ToCSharpName(string text)
        {
            // Names only: the binder's Enum.Parse would also take numbers ("7") and lists ("Static, Dns").
            foreach (var name in Enum.GetNames<TEnum>())
            {
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                {
                    return name;
                }
            }

            return parseIstio is not null && parseIstio(text, out var value) ? value.ToString() : null;
        }

        public override string Describe(string text)
        {
            var names = JoinOr(Enum.GetNames<TEnum>());
            if (formatIstio is null)
            {
                return $"'{text}' is not a valid {noun}; use {names}.";
            }

            var istio = JoinOr(Enum.GetValues<TEnum>().Select(formatIstio).Where(static s => s.Length > 0));
            return $"'{text}' is not a valid {noun}; use {istio} (or the C# names {names}).";
        }
    }

    /// <summary>A flags enum: one C# name or several, comma-separated (<c>W3C, B3Multi</c>), any case.</summary>
    private sealed class FlagsSpelling<TEnum>(string noun) : EnumSpelling
        where TEnum : struct, Enum
    {
        private static readonly EnumSpelling<TEnum> Single = new(string.Empty, null, null);

        public override string? ToCSharpName(string text)
        {
            var names = new List<string>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (Single.ToCSharpName(part) is not { } name)
                {
                    return null;
                }

                names.Add(name);
            }

            return string.Join(", ", names);
        }

        public override string Describe(string text) =>
            $"'{text}' is not a valid {noun}; use {JoinOr(Enum.GetNames<TEnum>())}, or several separated by commas.";
    }
}
