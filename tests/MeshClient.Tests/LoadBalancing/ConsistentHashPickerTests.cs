using MeshClient.Discovery;
using MeshClient.LoadBalancing;
using MeshClient.Model;
using static MeshClient.Tests.LoadBalancing.PickerTestSupport;

namespace MeshClient.Tests.LoadBalancing;

[Trait("Area", "LoadBalancing")]
public sealed class ConsistentHashPickerTests
{
    private static readonly HashKey UserHeader = new(HashKeySource.Header, "x-user");

    public static TheoryData<string> Tables => ["ring", "maglev"];

    private static EndpointPicker Create(string table, MeshEndpoint[] endpoints, HashKey? key = null, int seed = 1) => table == "ring"
        ? new RingHashPicker(endpoints, key ?? UserHeader, new Random(seed))
        : new MaglevPicker(endpoints, key ?? UserHeader, new Random(seed), 65537);

    private static HttpRequestMessage User(string user)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("x-user", user);
        return request;
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Pick_SameKey_SameEndpointEveryTime(string table)
    {
        var picker = Create(table, Endpoints(1, 1, 1, 1, 1));
        for (var user = 0; user < 200; user++)
        {
            using var request = User($"user-{user}");
            var first = PickFor(picker, request);
            for (var i = 0; i < 5; i++)
            {
                Assert.Same(first, PickFor(picker, request));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Pick_ManyKeys_SpreadByWeight(string table)
    {
        var picker = Create(table, Endpoints(3, 1, 1, 1));
        var counts = new int[4];
        for (var user = 0; user < 20_000; user++)
        {
            using var request = User($"user-{user}");
            counts[Array.IndexOf(picker.Endpoints, PickFor(picker, request))]++;
        }

        Assert.InRange(counts[0] / 20_000.0, 0.44, 0.56);
        Assert.All(counts[1..], c => Assert.InRange(c / 20_000.0, 0.12, 0.22));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Pick_OneOfTenEndpointsRemoved_AboutATenthOfKeysMove(string table)
    {
        var endpoints = Endpoints(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var before = Create(table, endpoints);
        var after = Create(table, [.. endpoints[..4], .. endpoints[5..]]); // 10.0.0.5 leaves
        var moved = 0;
        var movedFromStaying = 0;
        const int Keys = 20_000;
        for (var user = 0; user < Keys; user++)
        {
            using var request = User($"user-{user}");
            var was = PickFor(before, request);
            var now = PickFor(after, request);
            if (!ReferenceEquals(was, now))
            {
                moved++;
                movedFromStaying += ReferenceEquals(was, endpoints[4]) ? 0 : 1;
            }
        }

        Assert.InRange(moved / (double)Keys, 0.05, 0.1 + 0.03);
        if (table == "ring")
        {
            Assert.Equal(0, movedFromStaying); // a ring moves only the keys of the endpoint that left
        }
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Pick_RequestWithoutKey_RandomEndpoint(string table)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");

        var shares = Shares(Create(table, Endpoints(1, 1, 1)), 30_000, request);

        Assert.All(shares, s => Assert.InRange(s, 0.31, 0.36));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Pick_NoEndpoints_ReturnsNone(string table) =>
        Assert.Null(Create(table, []).Pick(default).Endpoint);

    [Theory]
    [InlineData("https://api.example.com/?a=1&session=abc&b=2", "https://api.example.com/other?session=abc", true)]
    [InlineData("https://api.example.com/?session=abc", "https://api.example.com/?session=abd", false)]
    [InlineData("https://api.example.com/?sessionx=abc", "https://api.example.com/", true)]
    public void TryHash_QueryParameter_RawValueIsTheKey(string first, string second, bool same)
    {
        var key = new HashKey(HashKeySource.QueryParameter, "session");
        using var a = new HttpRequestMessage(HttpMethod.Get, first);
        using var b = new HttpRequestMessage(HttpMethod.Get, second);

        var hasA = RequestHash.TryHash(a, key, out var hashA);
        var hasB = RequestHash.TryHash(b, key, out var hashB);

        Assert.Equal(same, hasA == hasB && hashA == hashB);
    }

    [Fact]
    public void TryHash_Cookie_ValueOfTheNamedCookie()
    {
        var key = new HashKey(HashKeySource.Cookie, "session");
        using var a = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        a.Headers.TryAddWithoutValidation("Cookie", "theme=dark; session=abc");
        using var b = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        b.Headers.TryAddWithoutValidation("Cookie", "session=abc");
        using var none = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        none.Headers.TryAddWithoutValidation("Cookie", "sessions=abc");

        Assert.True(RequestHash.TryHash(a, key, out var hashA));
        Assert.True(RequestHash.TryHash(b, key, out var hashB));
        Assert.Equal(hashA, hashB);
        Assert.Equal(RequestHash.Hash("abc"), hashA);
        Assert.False(RequestHash.TryHash(none, key, out _));
    }

    [Fact]
    public void RingHash_MinimumRingSize_SamePowerOfTwoNodesPerUnitOfWeight()
    {
        // ceil(1024 / 3) = 342 nodes per unit of weight, rounded up to 512.
        Assert.Equal(3 * 512, new RingHashPicker(Endpoints(1, 1, 1), UserHeader, new Random(1), minimumRingSize: 1024).RingSize);

        // ceil(1024 / 101) = 11, rounded up to 16: the weight-1 endpoint gets 16 nodes.
        Assert.Equal(101 * 16, new RingHashPicker(Endpoints(100, 1), UserHeader, new Random(1), minimumRingSize: 1024).RingSize);

        // Above the maximum, scaled down proportionally (each endpoint keeps at least one node).
        Assert.Equal(1000 + 1, new RingHashPicker(Endpoints(1000, 1), UserHeader, new Random(1), minimumRingSize: 1024, maximumRingSize: 1001).RingSize);
    }

    [Fact]
    public void Maglev_Table_FilledByWeight()
    {
        var table = MaglevPicker.BuildTable(Endpoints(2, 1, 1), 65537);

        Assert.DoesNotContain(-1, table);
        Assert.InRange(table.Count(i => i == 0) / 65537.0, 0.49, 0.51);
    }
}
