namespace MeshClient.Istio.Tests;

/// <summary>
/// Builds the YAML documents the mapping tests share: the <c>apiVersion</c> / <c>kind</c> / <c>metadata</c> preamble of Istio's
/// objects and of MeshClient's <c>meshclient.io/v1alpha1</c> kinds, from a few parameters, with the rest of <c>spec</c> given as
/// a body. A test keeps the fields it is about in its own YAML; only the boilerplate comes from here.
/// </summary>
/// <remarks>
/// The layout is fixed, so positions in diagnostics stay predictable: <c>apiVersion</c> on line 1, <c>kind</c> 2,
/// <c>metadata: {name: N}</c> 3, <c>spec:</c> 4, then the builder's own fields (two spaces in) and the body, each of its lines
/// indented two spaces (a body starting with <c>{</c> is a flow mapping written as <c>spec: {…}</c> on line 4 instead).
/// Every document ends with a newline and no separator: join documents with <see cref="Stream"/> or <see cref="Next"/>.
/// </remarks>
internal static class IstioYaml
{
    /// <summary>Istio's networking API version.</summary>
    public const string IstioApi = "networking.istio.io/v1";

    /// <summary>The API version of MeshClient's own kinds.</summary>
    public const string MeshClientApi = "meshclient.io/v1alpha1";

    /// <summary>The separator line between two documents.</summary>
    public const string Next = "---\n";

    /// <summary>A plain HTTP port 80 (<c>ports</c> flow list item).</summary>
    public const string Http80 = "{number: 80, name: http, protocol: HTTP}";

    /// <summary>An HTTPS port 443 (<c>ports</c> flow list item).</summary>
    public const string Https443 = "{number: 443, name: https, protocol: HTTPS}";

    /// <summary>The documents joined by <c>---</c> lines.</summary>
    public static string Stream(params string[] documents) => string.Join(Next, documents);

    /// <summary>A document of any kind: the preamble, then <c>spec:</c> with <paramref name="body"/> under it.</summary>
    public static string Document(string apiVersion, string kind, string name, string body)
    {
        var preamble = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: {name}}}\n";
        return body.StartsWith('{') ? $"{preamble}spec: {body}\n" : $"{preamble}spec:\n{Indent(body)}";
    }

    /// <summary>
    /// A ServiceEntry: <c>hosts</c> (a flow list's items, such as <c>"a.example.com, b.example.com"</c>), <c>ports</c> (flow list
    /// items, <see cref="Http80"/> unless given), <c>resolution</c>, <c>endpoints</c> when addresses are given (each one
    /// <c>{address: A}</c>), then <paramref name="body"/> for any other field.
    /// </summary>
    public static string ServiceEntry(string name, string hosts, string ports = Http80, string resolution = "STATIC", string[]? endpoints = null, string? body = null)
    {
        var spec = $"hosts: [{hosts}]\nports: [{ports}]\nresolution: {resolution}\n";
        if (endpoints is not null)
        {
            spec += $"endpoints: [{string.Join(", ", endpoints.Select(address => $"{{address: {address}}}"))}]\n";
        }

        return Document(IstioApi, "ServiceEntry", name, spec + body);
    }

    /// <summary>A DestinationRule for <paramref name="host"/>: <c>host</c>, then <paramref name="body"/> (trafficPolicy, subsets…).</summary>
    public static string DestinationRule(string name, string host, string body) =>
        Document(IstioApi, "DestinationRule", name, $"host: {host}\n{body}");

    /// <summary>A VirtualService: <c>hosts</c> (a flow list's items), then <paramref name="body"/> (http, tls…).</summary>
    public static string VirtualService(string name, string hosts, string body) =>
        Document(IstioApi, "VirtualService", name, $"hosts: [{hosts}]\n{body}");

    /// <summary>A Sidecar with <paramref name="body"/> as its spec.</summary>
    public static string Sidecar(string name, string body) => Document(IstioApi, "Sidecar", name, body);

    /// <summary>One of MeshClient's <c>meshclient.io/v1alpha1</c> kinds with <paramref name="body"/> as its spec.</summary>
    public static string Extension(string kind, string name, string body) => Document(MeshClientApi, kind, name, body);

    /// <summary>A <c>meshclient.io/v1alpha1 RetryPolicy</c>.</summary>
    public static string RetryPolicy(string name, string body) => Extension("RetryPolicy", name, body);

    /// <summary>A <c>meshclient.io/v1alpha1 OutlierPolicy</c>.</summary>
    public static string OutlierPolicy(string name, string body) => Extension("OutlierPolicy", name, body);

    /// <summary>A <c>meshclient.io/v1alpha1 EgressProxy</c>.</summary>
    public static string EgressProxy(string name, string body) => Extension("EgressProxy", name, body);

    /// <summary>A <c>meshclient.io/v1alpha1 TelemetryPolicy</c>.</summary>
    public static string TelemetryPolicy(string name, string body) => Extension("TelemetryPolicy", name, body);

    /// <summary>A <c>meshclient.io/v1alpha1 FallbackPolicy</c>.</summary>
    public static string FallbackPolicy(string name, string body) => Extension("FallbackPolicy", name, body);

    /// <summary>A <c>meshclient.io/v1alpha1 HealthCheckPolicy</c>.</summary>
    public static string HealthCheckPolicy(string name, string body) => Extension("HealthCheckPolicy", name, body);

    /// <summary>Each non-empty line indented two spaces; the result ends with a newline.</summary>
    private static string Indent(string body)
    {
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        return string.Concat(lines.Select(line => line.Length == 0 ? "\n" : $"  {line}\n"));
    }
}
