using MeshClient.Configuration;
using MeshClient.Istio.Yaml;
using YamlDotNet.RepresentationModel;

namespace MeshClient.Istio.Mapping;

/// <summary>
/// Reads <c>outboundTrafficPolicy</c> (<c>mode</c>, <c>egressProxy</c>) of an Istio <c>Sidecar</c>, which
/// MeshClient applies to the whole application (it is the one workload); every other field is warned about.
/// </summary>
internal static class SidecarMapper
{
    /// <summary>The outbound traffic policy a Sidecar declares: its mode, where in the file, and its egress proxy destination.</summary>
    public sealed record Policy(OutboundTrafficPolicy Mode, YamlNode Node, DestinationOptions? EgressProxy, YamlNode? EgressProxyNode);

    public static Policy? Map(ObjectReader reader, YamlMappingNode root)
    {
        if (reader.Mapping(root, "spec", "spec") is not { } spec)
        {
            if (YamlNodes.IsNull(YamlNodes.Get(root, "spec")))
            {
                reader.Required(root, "spec", "a Sidecar needs a spec.");
            }

            return null;
        }

        Schema.Walk(reader, IstioSchemas.SidecarSpec, spec, "spec", ignored: false);
        const string Path = "spec.outboundTrafficPolicy.mode";
        if (reader.Mapping(spec, "outboundTrafficPolicy", "spec.outboundTrafficPolicy") is not { } policy)
        {
            return null;
        }

        var egressProxy = EgressProxy(reader, policy);
        if (reader.String(policy, "mode", Path) is not { } mode)
        {
            if (egressProxy is not null)
            {
                // Istio's zero value: REGISTRY_ONLY.
                reader.Error(YamlNodes.Get(policy, "egressProxy")!, "spec.outboundTrafficPolicy.egressProxy", "spec.outboundTrafficPolicy.egressProxy: Invalid value: egressProxy is valid only with mode ALLOW_ANY (mode is not set: REGISTRY_ONLY).");
            }

            return null;
        }

        var node = YamlNodes.Get(policy, "mode")!;
        if (!IstioNames.TryParseOutboundTrafficPolicy(mode, out var value))
        {
            reader.Error(node, Path, $"{Path}: Unsupported value: '{DiagnosticText.Cut(mode)}': supported values: {IstioSpellings.Of<OutboundTrafficPolicy>(IstioNames.Format)}.");
            return null;
        }

        if (egressProxy is not null && value != OutboundTrafficPolicy.AllowAny)
        {
            reader.Error(YamlNodes.Get(policy, "egressProxy")!, "spec.outboundTrafficPolicy.egressProxy", $"spec.outboundTrafficPolicy.egressProxy: Invalid value: egressProxy is valid only with mode ALLOW_ANY (mode is {IstioNames.Format(value)}).");
            egressProxy = null;
        }

        return new Policy(value, node, egressProxy, egressProxy is null ? null : YamlNodes.Get(policy, "egressProxy"));
    }

    /// <summary>
    /// <c>egressProxy</c>: the destination unknown hosts are sent to (<see cref="MeshOptions.PassthroughDestination"/>),
    /// checked as Istio does — a host name, not a wildcard, and a port; that it names a registered service is
    /// the core rules' check.
    /// </summary>
    private static DestinationOptions? EgressProxy(ObjectReader reader, YamlMappingNode policy)
    {
        const string Path = "spec.outboundTrafficPolicy.egressProxy";
        if (YamlNodes.Get(policy, "egressProxy") is not YamlMappingNode node)
        {
            return null;
        }

        var errors = reader.ErrorCount;
        var destination = VirtualServiceMapper.MapDestination(reader, policy, Path, "egressProxy")!;
        if (string.IsNullOrEmpty(destination.Host))
        {
            reader.Required(node, Path + ".host", "the service unknown hosts are sent to, a ServiceEntry host.");
        }
        else if (destination.Host.Contains('*', StringComparison.Ordinal))
        {
            reader.Error(YamlNodes.Get(node, "host")!, Path + ".host", $"{Path}.host: Invalid value: '{DiagnosticText.Cut(destination.Host)}': a host name, not a wildcard.");
        }

        if (YamlNodes.Get(node, "port") is null)
        {
            reader.Required(node, Path + ".port", "the port of the egress proxy service (Istio requires it).");
        }

        return reader.ErrorCount > errors ? null : destination;
    }
}
