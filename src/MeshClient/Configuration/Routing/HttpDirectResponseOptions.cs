namespace MeshClient.Configuration;

/// <summary>Answers the request in process with a fixed status and body (Istio <c>HTTPDirectResponse</c>).</summary>
public sealed class HttpDirectResponseOptions
{
    /// <summary>Gets or sets the status code.</summary>
    /// <value>Required (Istio <c>status</c>): 200 to 599.</value>
    public int Status { get; set; }

    /// <summary>Gets or sets the body as text (UTF-8).</summary>
    /// <value>Defaults to <see langword="null"/>: no body (Istio <c>body.string</c>). Not with <see cref="BodyBytes"/>.</value>
    public string? BodyString { get; set; }

    /// <summary>Gets or sets the body as bytes (base64 in configuration files).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>body.bytes</c>).</value>
#pragma warning disable CA1819 // An options bag bound from configuration: a byte array is the natural shape.
    public byte[]? BodyBytes { get; set; }
#pragma warning restore CA1819
}
