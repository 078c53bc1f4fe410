using MeshClient.Configuration;
using MeshClient.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>The client's locality and <c>localityLbSetting</c> from appsettings.json down to the endpoints' priorities.</summary>
[Trait("Area", "LoadBalancing")]
public sealed class LocalityConfigurationTests
{
    [Fact]
    public void BindConfiguration_LocalityAndFailover_PrioritiesReachTheCluster()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": {
                "Locality": "us-west/zone1/a",
                "Labels": { "app": "orders" },
                "ExternalServices": [ {
                  "Hosts": [ "api.example.com" ], "Resolution": "STATIC",
                  "Ports": [ { "Number": 80, "Name": "http", "Protocol": "HTTP" } ],
                  "Endpoints": [
                    { "Address": "10.0.0.1", "Locality": "us-west/zone1/a" },
                    { "Address": "10.0.0.2", "Locality": "us-east/zone1/a" },
                    { "Address": "10.0.0.3", "Locality": "eu-west/zone1/a" } ],
                  "TrafficPolicy": {
                    "OutlierDetection": { "Consecutive5xxErrors": 1 },
                    "LoadBalancer": { "LocalityLbSetting": {
                      "Enabled": true,
                      "Failover": [ { "From": "us-west", "To": "eu-west" } ],
                      "FailoverPriority": [ "app" ] } } } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MeshOptions>>().Value;

        Assert.Equal("us-west/zone1/a", options.Locality);
        Assert.Equal("orders", options.Labels["app"]);
        var setting = options.ExternalServices[0].TrafficPolicy.LoadBalancer!.LocalityLbSetting!;
        Assert.Equal((true, "us-west", "eu-west", "app"), (setting.Enabled, setting.Failover[0].From, setting.Failover[0].To, setting.FailoverPriority[0]));

        // failoverPriority "app": no endpoint has it (all 1 × 5), then the locality with failover.
        var cluster = MeshSnapshot.Build(options).Clusters[0];
        Assert.Equal([5, 9, 8], cluster.Endpoints.Select(e => e.Priority));
    }

    [Fact]
    public void BindConfiguration_Distribute_Binds()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "Mesh": { "ExternalServices": [ { "Hosts": [ "api.example.com" ], "TrafficPolicy": { "LoadBalancer": { "LocalityLbSetting": {
                "Distribute": [ { "From": "us-west/*", "To": { "us-west/*": 80, "us-east/*": 20 } } ] } } } } ] } }
            """u8.ToArray())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMesh().BindConfiguration("Mesh");
        using var provider = services.BuildServiceProvider();

        var distribute = provider.GetRequiredService<IOptions<MeshOptions>>().Value.ExternalServices[0].TrafficPolicy.LoadBalancer!.LocalityLbSetting!.Distribute[0];

        Assert.Equal("us-west/*", distribute.From);
        Assert.Equal(new Dictionary<string, int> { ["us-west/*"] = 80, ["us-east/*"] = 20 }, distribute.To);
    }
}
