using System.Net;
using MeshClient.IntegrationTests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace MeshClient.IntegrationTests.Resilience;

/// <summary>The <c>RetryPolicy</c> kind (meshclient.io/v1alpha1) loaded from YAML files changes what the mesh does on Kestrel.</summary>
[Trait("Area", "Retries")]
public sealed class RetryPolicyYamlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, HttpStatusCode.ServiceUnavailable, 1)]
    [InlineData(true, HttpStatusCode.OK, 2)]
    public async Task Post_Answered503_RetriedOnlyWhenTheYamlRetryPolicySetsRetryNonIdempotent(bool withPolicy, HttpStatusCode expected, int requestsAtTheServer)
    {
        var answered = 0;
        await using var upstream = await Upstream.StartAsync("api", handler: context =>
        {
            // The first request reaches the server and fails: replaying a POST is safe only if the route says so.
            context.Response.StatusCode = Interlocked.Increment(ref answered) == 1 ? 503 : 200;
            return Task.CompletedTask;
        });
        var folder = Directory.CreateTempSubdirectory("retry-policy-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "mesh.yaml"), $$$"""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api}
                spec:
                  hosts: [api.example.com]
                  resolution: STATIC
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  endpoints: [{address: 127.0.0.1, ports: {http: {{{upstream.Port}}}}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: api}
                spec:
                  hosts: [api.example.com]
                  http: [{route: [{destination: {host: api.example.com}}], retries: {attempts: 2, retryOn: "503"}}]
                """);
            if (withPolicy)
            {
                File.WriteAllText(Path.Combine(folder.FullName, "retries.yaml"), """
                    apiVersion: meshclient.io/v1alpha1
                    kind: RetryPolicy
                    metadata: {name: api}
                    spec: {host: api.example.com, retryNonIdempotent: true}
                    """);
            }

            using var mesh = new MeshHost(services => services.AddMesh().AddIstioConfiguration(folder.FullName));

            using var content = new StringContent("order");
            using var response = await mesh.CreateClient().PostAsync("http://api.example.com/orders", content, Ct);

            Assert.Equal(expected, response.StatusCode);
            Assert.Equal(requestsAtTheServer, upstream.Requests);
            Assert.Equal(requestsAtTheServer, response.GetMeshResult()!.Attempts);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
