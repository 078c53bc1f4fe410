using MeshClient.Telemetry;

namespace MeshClient.Tests.Telemetry;

[Trait("Area", "Telemetry")]
public sealed class RequestIdsTests
{
    [Fact]
    public void NewId_Version4Uuids_AllDistinct_AcrossBufferRefills()
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < 1_000; i++) // 256 ids per refill: crosses three refills
        {
            var id = RequestIds.NewId();
            Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
            Assert.True(ids.Add(id), $"duplicate id {id}");
        }
    }
}
