using System.Net;
using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;

namespace MeshClient.Tests.LoadBalancing;

/// <summary>Endpoints and pick counting for picker tests (the pickers never send).</summary>
internal static class PickerTestSupport
{
    private static readonly HttpMessageInvoker Unused = new(new TestSupport.RecordingHandler());

    /// <summary>Endpoints 10.0.0.1, 10.0.0.2… on port 80 with the given weights.</summary>
    public static MeshEndpoint[] Endpoints(params int[] weights)
    {
        var endpoints = new MeshEndpoint[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            endpoints[i] = new MeshEndpoint(new EndpointDefinition(IPAddress.Parse($"10.0.{i / 250}.{(i % 250) + 1}"), 80, weights[i], null), Unused);
        }

        return endpoints;
    }

    /// <summary>The share of <paramref name="picks"/> picks each endpoint got, index for index.</summary>
    public static double[] Shares(EndpointPicker picker, int picks, HttpRequestMessage? request = null)
    {
        var counts = new int[picker.Endpoints.Length];
        var context = new PickContext(request, null);
        for (var i = 0; i < picks; i++)
        {
            counts[Array.IndexOf(picker.Endpoints, picker.Pick(in context).Endpoint)]++;
        }

        return Array.ConvertAll(counts, c => c / (double)picks);
    }

    /// <summary>Starts <paramref name="count"/> attempts on the endpoint (its in-flight count), never ended.</summary>
    public static void Load(MeshEndpoint endpoint, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.NotNull(endpoint.TryStart());
        }
    }

    public static MeshEndpoint? PickFor(EndpointPicker picker, HttpRequestMessage request) => picker.Pick(new PickContext(request, null)).Endpoint;
}
