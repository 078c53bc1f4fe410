namespace MeshClient.Configuration;

/// <summary>One port of an external service (Istio <c>ServiceEntry.ports[]</c>).</summary>
public sealed class ServicePortOptions
{
    /// <summary>Creates an empty port; set <see cref="Number"/> and <see cref="Name"/>.</summary>
    public ServicePortOptions()
    {
    }

    /// <summary>Creates a port.</summary>
    /// <param name="number">The port the application calls.</param>
    /// <param name="name">The port name, a DNS-1123 label unique within the service.</param>
    /// <param name="protocol">The protocol.</param>
    public ServicePortOptions(int number, string name, ServiceProtocol protocol = ServiceProtocol.Unspecified)
    {
        Number = number;
        Name = name;
        Protocol = protocol;
    }

    /// <summary>
    /// Gets or sets the port number the application calls (1–65535, unique within the service).
    /// </summary>
    /// <value>Required (Istio <c>number</c>).</value>
    public int Number { get; set; }

    /// <summary>Gets or sets the port name (a DNS-1123 label, unique within the service).</summary>
    /// <value>Required (Istio <c>name</c>).</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the protocol of the port.</summary>
    /// <value>Defaults to <see cref="ServiceProtocol.Unspecified"/> (Istio <c>protocol</c>).</value>
    public ServiceProtocol Protocol { get; set; }

    /// <summary>
    /// Gets or sets the port the endpoints listen on, when it differs from <see cref="Number"/>.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>, which means <see cref="Number"/> (Istio <c>targetPort</c>).
    /// </value>
    /// <remarks>An endpoint's own <see cref="ServiceEndpointOptions.Ports"/> entry for this port name wins.</remarks>
    public int? TargetPort { get; set; }
}
