using System.Reflection;
using MeshClient.Configuration;
using MeshClient.Model;
using MeshClient.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MeshClient.Tests.DependencyInjection;

[Trait("Area", "Config")]
public sealed class MeshConfigurationBindingTests
{
    private const string Service = "ExternalServices:0:";

    [Theory]
    [InlineData("OutboundTrafficPolicy", "REGISTRY_ONLY", OutboundTrafficPolicy.RegistryOnly)]
    [InlineData("OutboundTrafficPolicy", "ALLOW_ANY", OutboundTrafficPolicy.AllowAny)]
    [InlineData("OutboundTrafficPolicy", "RegistryOnly", OutboundTrafficPolicy.RegistryOnly)]
    [InlineData("OutboundTrafficPolicy", "registryonly", OutboundTrafficPolicy.RegistryOnly)]
    [InlineData("FailureMode", "Throw", MeshFailureMode.Throw)]
    [InlineData("FailureMode", "THROW", MeshFailureMode.Throw)]
    [InlineData(Service + "Resolution", "NONE", ServiceResolution.None)]
    [InlineData(Service + "Resolution", "STATIC", ServiceResolution.Static)]
    [InlineData(Service + "Resolution", "DNS", ServiceResolution.Dns)]
    [InlineData(Service + "Resolution", "DNS_ROUND_ROBIN", ServiceResolution.DnsRoundRobin)]
    [InlineData(Service + "Resolution", "DYNAMIC_DNS", ServiceResolution.DynamicDns)]
    [InlineData(Service + "Resolution", "DnsRoundRobin", ServiceResolution.DnsRoundRobin)]
    [InlineData(Service + "Resolution", "static", ServiceResolution.Static)]
    [InlineData(Service + "Location", "MESH_EXTERNAL", ServiceLocation.MeshExternal)]
    [InlineData(Service + "Location", "MESH_INTERNAL", ServiceLocation.MeshInternal)]
    [InlineData(Service + "Location", "MeshInternal", ServiceLocation.MeshInternal)]
    [InlineData(Service + "Ports:0:Protocol", "HTTP", ServiceProtocol.Http)]
    [InlineData(Service + "Ports:0:Protocol", "HTTP2", ServiceProtocol.Http2)]
    [InlineData(Service + "Ports:0:Protocol", "GRPC", ServiceProtocol.Grpc)]
    [InlineData(Service + "Ports:0:Protocol", "GRPC-Web", ServiceProtocol.GrpcWeb)]
    [InlineData(Service + "Ports:0:Protocol", "grpc-web", ServiceProtocol.GrpcWeb)]
    [InlineData(Service + "Ports:0:Protocol", "HTTP_PROXY", ServiceProtocol.HttpProxy)]
    [InlineData(Service + "Ports:0:Protocol", "HttpProxy", ServiceProtocol.HttpProxy)]
    [InlineData(Service + "Ports:0:Protocol", "", ServiceProtocol.Unspecified)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "ROUND_ROBIN", LoadBalancerAlgorithm.RoundRobin)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "LEAST_REQUEST", LoadBalancerAlgorithm.LeastRequest)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "LEAST_CONN", LoadBalancerAlgorithm.LeastRequest)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "RANDOM", LoadBalancerAlgorithm.Random)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "PASSTHROUGH", LoadBalancerAlgorithm.Passthrough)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "UNSPECIFIED", LoadBalancerAlgorithm.Unspecified)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "leastRequest", LoadBalancerAlgorithm.LeastRequest)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "PEAK_EWMA", LoadBalancerAlgorithm.PeakEwma)]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "PeakEwma", LoadBalancerAlgorithm.PeakEwma)]
    public void BindConfiguration_IstioSpellingOrCSharpName_Binds(string key, string value, object expected)
    {
        var options = BindMesh(new() { [$"Mesh:{key}"] = value });

        Assert.Empty(options.SourceDiagnostics);
        Assert.Equal(expected, Read(options, key));
    }

    [Theory]
    [InlineData("Resolution", "DNS_ROUND_ROBIN", ServiceResolution.DnsRoundRobin)]
    [InlineData("Location", "MESH_INTERNAL", ServiceLocation.MeshInternal)]
    [InlineData("Ports:0:Protocol", "HTTP2", ServiceProtocol.Http2)]
    [InlineData("TrafficPolicy:LoadBalancer:Simple", "LEAST_CONN", LoadBalancerAlgorithm.LeastRequest)]
    [InlineData("Resolution", "DnsRoundRobin", ServiceResolution.DnsRoundRobin)]
    public void AddMeshExternalService_IstioSpellingOrCSharpName_Binds(string key, string value, object expected)
    {
        var options = BindService(new() { [$"Services:Api:{key}"] = value });

        Assert.Empty(options.SourceDiagnostics);
        Assert.Equal(expected, Read(options, Service + key));
    }

    [Fact]
    public void BindConfiguration_IstioSpelledSettings_SameSnapshotAsCSharpNames()
    {
        var istio = BindMesh(Settings("REGISTRY_ONLY", "STATIC", "MESH_INTERNAL", "HTTPS", "ROUND_ROBIN"));
        var csharp = BindMesh(Settings("RegistryOnly", "Static", "MeshInternal", "Https", "RoundRobin"));

        Assert.Empty(MeshConfigurationValidator.Validate(istio));
        Assert.Empty(MeshConfigurationValidator.Validate(csharp));
        var expected = MeshSnapshot.Build(csharp);
        var actual = MeshSnapshot.Build(istio);
        Assert.Equal(expected.OutboundTrafficPolicy, actual.OutboundTrafficPolicy);
        Assert.Equal(expected.Clusters.Select(c => c.Key), actual.Clusters.Select(c => c.Key));
        Assert.All(expected.Clusters.Zip(actual.Clusters), pair => Assert.True(pair.First.IsEquivalentTo(pair.Second)));
        Assert.Equal(LoadBalancerAlgorithm.RoundRobin, Assert.Single(actual.Clusters).LoadBalancer);
        Assert.Equal(["Mesh:ExternalServices:0"], istio.ExternalServices.Select(s => s.Source));
    }

    [Theory]
    [InlineData("OutboundTrafficPolicy", "BLOCK", "'BLOCK' is not a valid outbound traffic policy; use ALLOW_ANY or REGISTRY_ONLY (or the C# names AllowAny or RegistryOnly).")]
    [InlineData("FailureMode", "THROW_IT", "'THROW_IT' is not a valid failure mode; use Response or Throw.")]
    [InlineData(Service + "Resolution", "DNSX", "'DNSX' is not a valid resolution; use NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS (or the C# names None, Static, Dns, DnsRoundRobin or DynamicDns).")]
    [InlineData(Service + "Resolution", "dns_round_robin", "'dns_round_robin' is not a valid resolution; use NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS (or the C# names None, Static, Dns, DnsRoundRobin or DynamicDns).")]
    [InlineData(Service + "Resolution", "1", "'1' is not a valid resolution; use NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS (or the C# names None, Static, Dns, DnsRoundRobin or DynamicDns).")]
    [InlineData(Service + "Resolution", "Static, Dns", "'Static, Dns' is not a valid resolution; use NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS (or the C# names None, Static, Dns, DnsRoundRobin or DynamicDns).")]
    [InlineData(Service + "Location", "EXTERNAL", "'EXTERNAL' is not a valid location; use MESH_EXTERNAL or MESH_INTERNAL (or the C# names MeshExternal or MeshInternal).")]
    [InlineData(Service + "Ports:0:Protocol", "HTTP3", "'HTTP3' is not a valid port protocol; use HTTP, HTTPS, GRPC, GRPC-Web, HTTP2, MONGO, REDIS, MYSQL, TCP, TLS, UDP or HTTP_PROXY (or the C# names Unspecified, Http, Https, Grpc, GrpcWeb, Http2, Mongo, Redis, Mysql, Tcp, Tls, Udp or HttpProxy).")]
    [InlineData(Service + "TrafficPolicy:LoadBalancer:Simple", "LEAST_REQUESTS", "'LEAST_REQUESTS' is not a valid load-balancing algorithm; use UNSPECIFIED, ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH or PEAK_EWMA (or the C# names Unspecified, RoundRobin, LeastRequest, Random, Passthrough or PeakEwma).")]
    public void BindConfiguration_InvalidEnumValue_ErrorNamesKeyAndAcceptedValues(string key, string value, string expected)
    {
        var options = BindMesh(new() { [$"Mesh:{key}"] = value });

        var error = Assert.Single(options.SourceDiagnostics);
        Assert.True(error.IsError);
        Assert.Equal($"Configuration section 'Mesh': Mesh:{key}: {expected}", error.Message);
    }

    [Fact]
    public void AddMeshExternalService_InvalidEnumValue_ReportedAndServiceLeftOut()
    {
        var options = BindService(new() { ["Services:Api:Resolution"] = "DNSX" });

        Assert.Empty(options.ExternalServices);
        Assert.Equal(
            "Configuration 'Services:Api' of external service 'api.example.com': Services:Api:Resolution: 'DNSX' is not a valid resolution; use NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS (or the C# names None, Static, Dns, DnsRoundRobin or DynamicDns).",
            Assert.Single(options.SourceDiagnostics).Message);
    }

    [Fact]
    public void BindConfiguration_InvalidValueAndUnknownKey_BothReportedAndSectionNotApplied()
    {
        var options = BindMesh(new()
        {
            ["Mesh:OutboundTrafficPolicy"] = "REGISTRY-ONLY",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "DNS_ROUND_ROBIN",
            ["Mesh:ExternalServices:0:Resolutoin"] = "STATIC",
        });

        Assert.Empty(options.ExternalServices);
        Assert.Collection(
            options.SourceDiagnostics,
            d => Assert.Equal("Configuration section 'Mesh': Mesh:OutboundTrafficPolicy: 'REGISTRY-ONLY' is not a valid outbound traffic policy; use ALLOW_ANY or REGISTRY_ONLY (or the C# names AllowAny or RegistryOnly).", d.Message),
            d =>
            {
                Assert.StartsWith("Configuration section 'Mesh': ", d.Message, StringComparison.Ordinal);
                Assert.Contains("'Resolutoin'", d.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void BindConfiguration_SourceDiagnosticsInConfiguration_RejectedNotInjected()
    {
        var options = BindMesh(new()
        {
            ["Mesh:SourceDiagnostics:0:Message"] = "injected",
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
        });

        Assert.Empty(options.ExternalServices);
        var diagnostic = Assert.Single(options.SourceDiagnostics);
        Assert.Equal("Configuration section 'Mesh': 'SourceDiagnostics' is not a setting and cannot be configured.", diagnostic.Message);
    }

    [Fact]
    public void BindConfiguration_UnknownKeyNextToIstioSpelling_IsAnError()
    {
        var options = BindMesh(new()
        {
            ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
            ["Mesh:ExternalServices:0:Resolution"] = "DNS_ROUND_ROBIN",
            ["Mesh:ExternalServices:0:Ports:0:Protocl"] = "HTTP",
        });

        var error = Assert.Single(options.SourceDiagnostics);
        Assert.StartsWith("Configuration section 'Mesh': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Protocl'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BindConfiguration_ReloadWithIstioSpellings_AppliesValidChangesAndKeepsLastGoodOnErrors()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings("REGISTRY_ONLY", "STATIC", "MESH_EXTERNAL", "HTTP", "ROUND_ROBIN")).Build();
        using var harness = MeshHarness.BoundTo(configuration);
        Task<string?> EndpointAsync() => harness.EndpointOfAsync("http://api.example.com/");

        Assert.Equal("10.0.0.1:80", await EndpointAsync());

        configuration["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.2";
        configuration["Mesh:ExternalServices:0:Resolution"] = "STATICK";
        configuration.Reload();
        Assert.Equal("10.0.0.1:80", await EndpointAsync());

        configuration["Mesh:ExternalServices:0:Resolution"] = "STATIC";
        configuration.Reload();
        Assert.Equal("10.0.0.2:80", await EndpointAsync());
    }

    [Fact]
    public void EnumFields_CoverEveryEnumOption()
    {
        var expected = new List<string>();
        CollectEnumPaths(typeof(MeshOptions), "", expected);

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), MeshConfigurationSpellings.MeshFields.Select(f => f.Path).Order());
        Assert.Equal(
            expected.Where(p => p.StartsWith(Service.Replace("0", "*"), StringComparison.Ordinal)).Select(p => p[Service.Length..]).Order(),
            MeshConfigurationSpellings.ExternalServiceFields.Select(f => f.Path).Order());
    }

    // Every enum property reachable from MeshOptions, as a configuration path with "*" for list indexes.
    private static void CollectEnumPaths(Type type, string prefix, List<string> paths)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var propertyType = property.PropertyType;
            if (property.Name == nameof(MeshOptions.SourceDiagnostics))
            {
                continue; // reported by sources, not configured
            }

            if (propertyType.IsEnum || Nullable.GetUnderlyingType(propertyType) is { IsEnum: true })
            {
                paths.Add(prefix + property.Name);
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(IList<>))
            {
                var element = propertyType.GetGenericArguments()[0];
                if (element.Namespace == typeof(MeshOptions).Namespace)
                {
                    CollectEnumPaths(element, $"{prefix}{property.Name}:*:", paths);
                }
            }
            else if (propertyType.Namespace == typeof(MeshOptions).Namespace)
            {
                CollectEnumPaths(propertyType, $"{prefix}{property.Name}:", paths);
            }
        }
    }

    private static Dictionary<string, string?> Settings(string outbound, string resolution, string location, string protocol, string simple) => new()
    {
        ["Mesh:OutboundTrafficPolicy"] = outbound,
        ["Mesh:ExternalServices:0:Hosts:0"] = "api.example.com",
        ["Mesh:ExternalServices:0:Resolution"] = resolution,
        ["Mesh:ExternalServices:0:Location"] = location,
        ["Mesh:ExternalServices:0:Ports:0:Number"] = "80",
        ["Mesh:ExternalServices:0:Ports:0:Name"] = "http",
        ["Mesh:ExternalServices:0:Ports:0:Protocol"] = protocol,
        ["Mesh:ExternalServices:0:Endpoints:0:Address"] = "10.0.0.1",
        ["Mesh:ExternalServices:0:TrafficPolicy:LoadBalancer:Simple"] = simple,
    };

    private static MeshOptions BindMesh(Dictionary<string, string?> settings) =>
        Bind(settings, static (services, configuration) => services.AddMesh().BindConfiguration("Mesh"));

    private static MeshOptions BindService(Dictionary<string, string?> settings) =>
        Bind(settings, static (services, configuration) => services.AddMeshExternalService("api.example.com", configuration.GetSection("Services:Api")));

    private static MeshOptions Bind(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> add)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        add(services, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<MeshOptions>>().CurrentValue;
    }

    private static object Read(MeshOptions options, string key)
    {
        var service = options.ExternalServices.Count > 0 ? options.ExternalServices[0] : null;
        return key switch
        {
            "OutboundTrafficPolicy" => options.OutboundTrafficPolicy,
            "FailureMode" => options.FailureMode,
            Service + "Resolution" => service!.Resolution,
            Service + "Location" => service!.Location,
            Service + "Ports:0:Protocol" => service!.Ports[0].Protocol,
            Service + "TrafficPolicy:LoadBalancer:Simple" => service!.TrafficPolicy.LoadBalancer.Simple,
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
        };
    }

    [Fact]
    public void BindConfiguration_TimeoutOwnership_Binds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:DefaultTimeout"] = "00:00:30",
            ["Mesh:ManageHttpClientTimeout"] = "true",
        }).Build();
        using var harness = MeshHarness.BoundTo(configuration);

        Assert.Equal(TimeSpan.FromSeconds(30), harness.Runtime.State.Passthrough.Definition.Timeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, harness.CreateClient().Timeout);

        configuration["Mesh:ManageHttpClientTimeout"] = "false";
        configuration.Reload();

        Assert.Null(harness.Runtime.State.Passthrough.Definition.Timeout); // the mesh no longer bounds requests itself
        Assert.Equal(TimeSpan.FromSeconds(100), harness.CreateClient().Timeout);
    }
}
