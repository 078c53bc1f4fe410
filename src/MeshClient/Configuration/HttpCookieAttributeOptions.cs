namespace MeshClient.Configuration;

/// <summary>An attribute added to a generated consistent-hash cookie (Istio <c>httpCookie.attributes[]</c>), such as <c>SameSite=Lax</c> or <c>Secure</c>.</summary>
public sealed class HttpCookieAttributeOptions
{
    /// <summary>Initializes a new instance of the <see cref="HttpCookieAttributeOptions"/> class (for configuration binding).</summary>
    public HttpCookieAttributeOptions()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HttpCookieAttributeOptions"/> class.</summary>
    /// <param name="name">The attribute's name, for example <c>SameSite</c>.</param>
    /// <param name="value">The attribute's value, or <see langword="null"/> for a flag such as <c>Secure</c>.</param>
    public HttpCookieAttributeOptions(string name, string? value = null)
    {
        Name = name;
        Value = value;
    }

    /// <summary>Gets or sets the attribute's name. Required: a token (no spaces, <c>;</c>, <c>=</c> or control characters).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>name</c>).</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the attribute's value; empty or <see langword="null"/> adds the name alone (<c>; Secure</c>).</summary>
    /// <value>Defaults to <see langword="null"/> (Istio <c>value</c>). No <c>;</c> or control characters.</value>
    public string? Value { get; set; }
}
