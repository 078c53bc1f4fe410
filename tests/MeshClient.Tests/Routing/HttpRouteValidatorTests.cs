using MeshClient.Configuration;
using static MeshClient.Tests.Routing.RoutingTestSupport;

namespace MeshClient.Tests.Routing;

[Trait("Area", "Routing")]
public sealed class HttpRouteValidatorTests
{
    private const string Prefix = "External service 'api.example.com': ";

    private static ExternalServiceOptions Service(params HttpRouteOptions[] routes)
    {
        var service = new ExternalServiceOptions();
        service.Hosts.Add("api.example.com");
        Labelled(service);
        foreach (var route in routes)
        {
            service.Http.Add(route);
        }

        return service;
    }

    private static List<MeshConfigurationDiagnostic> Validate(params ExternalServiceOptions[] services)
    {
        var options = new MeshOptions();
        foreach (var service in services)
        {
            options.ExternalServices.Add(service);
        }

        return MeshOptionsValidator.Validate(options);
    }

    private static string[] Errors(ExternalServiceOptions service) =>
        Validate(service).Where(d => d.IsError).Select(d => d.Message).ToArray();

    private static string[] Warnings(params ExternalServiceOptions[] services) =>
        Validate(services).Where(d => !d.IsError).Select(d => d.Message).ToArray();

    [Fact]
    public void Validate_ValidRoutes_NoFindings()
    {
        var canary = Route(To("api.example.com", "v1", 90), To("api.example.com", "v2", 10));
        canary.Match.Add(new HttpMatchOptions { Uri = StringMatchOptions.ForRegex("/users/[0-9]+"), Headers = { ["x-canary"] = new StringMatchOptions() } });
        canary.Rewrite = new HttpRewriteOptions { Uri = "/v2/", Authority = "internal.example.com:8443" };
        canary.Headers = new HeadersOptions { Request = new HeaderOperationsOptions { Set = { ["x-a"] = "1" }, Remove = { "x-b" } } };
        canary.Timeout = TimeSpan.FromSeconds(2);
        var redirect = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/new", Scheme = "https", Port = 8443, RedirectCode = 307 } };
        redirect.Match.Add(Uri(StringMatchOptions.ForExact("/old")));

        Assert.Empty(Validate(Service(canary, redirect, Direct(404, "gone"))));
    }

    [Fact]
    public void Validate_RouteWithoutAction_OrWithTwo_Rejected()
    {
        var both = Route(To("api.example.com"));
        both.Redirect = new HttpRedirectOptions { Uri = "/x" };

        Assert.Equal(
            [
                Prefix + "http[0]: Invalid value: HTTP route, redirect or direct response is required.",
                Prefix + "http[1]: Invalid value: route, redirect and directResponse cannot be combined.",
            ],
            Errors(Service(new HttpRouteOptions(), both)));
    }

    [Fact]
    public void Validate_RewriteWithRedirect_Rejected()
    {
        var route = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/x" }, Rewrite = new HttpRewriteOptions { Uri = "/y" } };

        Assert.Equal([Prefix + "http[0].rewrite: Invalid value: rewrite cannot be combined with redirect or directResponse."], Errors(Service(route)));
    }

    [Theory]
    [InlineData("set", "a\r\nb")]
    [InlineData("set", "a\nb")]
    [InlineData("add", "a\rb")]
    [InlineData("add", "a\0b")]
    public void Validate_CrLfOrNulInAHeaderValue_RejectedAtEveryLevel(string operation, string value)
    {
        HeadersOptions Headers()
        {
            var operations = new HeaderOperationsOptions();
            (operation == "set" ? operations.Set : operations.Add)["x-injected"] = value;
            return new HeadersOptions { Request = operations, Response = operations };
        }

        var destination = To("api.example.com");
        destination.Headers = Headers();
        var route = Route(destination);
        route.Headers = Headers();

        Assert.Equal(
            [
                $"{Prefix}http[0].route[0].headers.request.{operation}.x-injected: Invalid value: a header value must not be null or contain CR, LF or NUL.",
                $"{Prefix}http[0].route[0].headers.response.{operation}.x-injected: Invalid value: a header value must not be null or contain CR, LF or NUL.",
                $"{Prefix}http[0].headers.request.{operation}.x-injected: Invalid value: a header value must not be null or contain CR, LF or NUL.",
                $"{Prefix}http[0].headers.response.{operation}.x-injected: Invalid value: a header value must not be null or contain CR, LF or NUL.",
            ],
            Errors(Service(route)));
    }

    [Fact]
    public void Validate_BadHeaderNames_Rejected()
    {
        var route = Route(To("api.example.com"));
        route.Headers = new HeadersOptions { Request = new HeaderOperationsOptions { Set = { ["x a"] = "1" }, Remove = { "", "x:y" } } };

        Assert.Equal(
            [
                Prefix + "http[0].headers.request.set: Invalid value: 'x a' is not a header name.",
                Prefix + "http[0].headers.request.remove[0]: Invalid value: '' is not a header name.",
                Prefix + "http[0].headers.request.remove[1]: Invalid value: 'x:y' is not a header name.",
            ],
            Errors(Service(route)));
    }

    [Theory]
    [InlineData(300)]
    [InlineData(304)]
    [InlineData(200)]
    public void Validate_RedirectCode_OnlyTheRedirectStatuses(int code)
    {
        var route = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/x", RedirectCode = code } };

        Assert.Equal([$"{Prefix}http[0].redirect.redirectCode: Invalid value: {code}: a redirect code must be 301, 302, 303, 307 or 308."], Errors(Service(route)));
    }

    [Fact]
    public void Validate_RedirectPortAndDerivePort_Rejected()
    {
        var route = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Port = 8443, DerivePort = RedirectPortSelection.FromRequestPort } };

        Assert.Equal([Prefix + "http[0].redirect.derivePort: Invalid value: port and derivePort cannot both be set: one chooses the redirect's port."], Errors(Service(route)));
    }

    [Fact]
    public void Validate_RedirectUriAndPrefixRewrite_Rejected_ABadPrefixNamed()
    {
        var both = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/x", PrefixRewrite = "/y" } };
        var bad = new HttpRouteOptions { Redirect = new HttpRedirectOptions { PrefixRewrite = "/a\r\nb", DerivePort = (RedirectPortSelection)7 } };

        Assert.Equal(
            [
                Prefix + "http[0].redirect.prefixRewrite: Invalid value: uri and prefixRewrite cannot both be set: uri replaces the whole path, prefixRewrite the part the route matched.",
                Prefix + "http[1].redirect.prefixRewrite: Invalid value: '/a\r\nb' is not a path.",
                Prefix + "http[1].redirect.derivePort: Unsupported value: 7: supported values: FromProtocolDefault, FromRequestPort.",
            ],
            Errors(Service(both, bad)));
    }

    [Fact]
    public void Validate_RedirectPortSchemeAuthorityUri_Checked()
    {
        var route = new HttpRouteOptions { Redirect = new HttpRedirectOptions { Uri = "/a b", Authority = "a/b", Port = 70000, Scheme = "1http" } };

        Assert.Equal(
            [
                Prefix + "http[0].redirect.port: Invalid value: port must be between 1-65535 (was '70000').",
                Prefix + "http[0].redirect.scheme: Invalid value: '1http' is not a URI scheme.",
                Prefix + "http[0].redirect.authority: Invalid value: 'a/b' is not an authority.",
                Prefix + "http[0].redirect.uri: Invalid value: '/a b' is not a path.",
            ],
            Errors(Service(route)));
    }

    [Fact]
    public void Validate_DirectResponse_StatusRangeAndBothBodyKinds()
    {
        var both = Direct(200, "text");
        both.DirectResponse!.BodyBytes = [1, 2];

        Assert.Equal(
            [
                Prefix + "http[0].directResponse.status: Invalid value: status must be between 200 and 599 (was '199').",
                Prefix + "http[1].directResponse.body: Invalid value: set either a string or bytes body, not both.",
            ],
            Errors(Service(Direct(199), both)));
    }

    [Fact]
    public void Validate_Weights_NegativeAndAllZero_Rejected()
    {
        Assert.Equal(
            [
                Prefix + "http[0].route[0].weight: Invalid value: -1: weight must not be negative.",
                Prefix + "http[1].route: Invalid value: total destination weight is 0; with more than one destination at least one weight must be positive.",
            ],
            Errors(Service(
                Route(To("api.example.com", "v1", -1), To("api.example.com", "v2", 50)),
                Route(To("api.example.com", "v1", 0), To("api.example.com", "v2")))));
    }

    [Fact]
    public void Validate_SingleDestinationWithoutWeight_OrZeroWeightAmongOthers_Valid()
    {
        Assert.Empty(Validate(Service(Route(To("api.example.com", "v1")), Route(To("api.example.com", "v1", 0), To("api.example.com", "v2", 100)))));
    }

    [Fact]
    public void Validate_DestinationWithoutHost_AndBadPort_Rejected()
    {
        var route = Route(new HttpRouteDestinationOptions { Destination = new DestinationOptions() }, To("api.example.com", port: 0));
        route.Route[1].Weight = 1;
        route.Route[0].Weight = 1;

        Assert.Equal(
            [
                Prefix + "http[0].route[0].destination.host: Required value: every route destination needs a host.",
                Prefix + "http[0].route[1].destination.port.number: Invalid value: port must be between 1-65535 (was '0').",
            ],
            Errors(Service(route)));
    }

    [Fact]
    public void Validate_MatchRegexAndPort_RejectedWithFieldPaths()
    {
        var route = Route(To("api.example.com"));
        route.Match.Add(new HttpMatchOptions { Uri = StringMatchOptions.ForPrefix("/ok") });
        route.Match.Add(new HttpMatchOptions { Uri = StringMatchOptions.ForRegex(@"(a)\1"), Headers = { ["x-a"] = StringMatchOptions.ForRegex(new string('a', 1025)) }, Port = 0 });

        var errors = Errors(Service(route));

        Assert.Equal(3, errors.Length);
        Assert.StartsWith(Prefix + @"http[0].match[1].uri.regex: Invalid value: '(a)\1' is not a supported regular expression (RE2 syntax, no back-references or look-arounds): ", errors[0], StringComparison.Ordinal);
        Assert.Equal(Prefix + "http[0].match[1].headers.x-a.regex: Invalid value: the regular expression is 1025 characters; at most 1024 are allowed.", errors[1]);
        Assert.Equal(Prefix + "http[0].match[1].port: Invalid value: port must be between 1-65535 (was '0').", errors[2]);
    }

    [Fact]
    public void Validate_MatchTwoKindsAndEmptyPrefix_Rejected()
    {
        var route = Route(To("api.example.com"));
        route.Match.Add(new HttpMatchOptions { Method = new StringMatchOptions { Exact = "GET", Prefix = "G" }, Authority = StringMatchOptions.ForPrefix("") });

        Assert.Equal(
            [
                Prefix + "http[0].match[0].method: Invalid value: set only one of exact, prefix and regex.",
                Prefix + "http[0].match[0].authority.prefix: Invalid value: prefix match must not be empty.",
            ],
            Errors(Service(route)));
    }

    [Fact]
    public void Validate_Rewrite_RegexAndAuthorityChecked()
    {
        var both = Route(To("api.example.com"));
        both.Rewrite = new HttpRewriteOptions { Uri = "/a", UriRegexRewrite = new RegexRewriteOptions { Match = "(", Rewrite = null }, Authority = "bad host" };

        var errors = Errors(Service(both));

        Assert.Equal(4, errors.Length);
        Assert.Equal(Prefix + "http[0].rewrite: Invalid value: uri and uriRegexRewrite cannot both be set.", errors[0]);
        Assert.StartsWith(Prefix + "http[0].rewrite.uriRegexRewrite.match: Invalid value: '(' is not a supported regular expression", errors[1], StringComparison.Ordinal);
        Assert.Equal(Prefix + "http[0].rewrite.uriRegexRewrite.rewrite: Required value: the replacement is required (it may be empty).", errors[2]);
        Assert.Equal(Prefix + "http[0].rewrite.authority: Invalid value: 'bad host' is not an authority.", errors[3]);
    }

    [Fact]
    public void Validate_RouteTimeout_IstioDurationRule()
    {
        var route = Route(To("api.example.com"));
        route.Timeout = TimeSpan.FromTicks(5000);

        Assert.Equal([Prefix + "http[0].timeout duration must be greater than 1ms (was '0.0005s')."], Errors(Service(route)));
    }

    [Fact]
    public void Validate_SubsetNames_RequiredAndUnique()
    {
        var service = Service();
        service.Subsets.Add(new SubsetOptions { Name = "v1" });
        service.Subsets.Add(new SubsetOptions());

        Assert.Equal(
            [
                Prefix + "subsets[2].name: Invalid value: duplicate subset name 'v1'.",
                Prefix + "subsets[3].name: Required value: every subset needs a name.",
            ],
            Errors(service));
    }

    [Fact]
    public void Validate_SubsetTrafficPolicy_ValidatedWithItsPath()
    {
        var service = Service();
        service.Subsets[0].TrafficPolicy = new TrafficPolicyOptions { OutlierDetection = new OutlierDetectionOptions { MaxEjectionPercent = 101 } };

        var error = Assert.Single(Errors(service));
        Assert.StartsWith(Prefix + "subsets[0].trafficPolicy.outlierDetection.maxEjectionPercent", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RouteTimeoutShorthandNextToRoutes_Warned()
    {
        var service = Service(Route(To("api.example.com")));
        service.Route.Timeout = TimeSpan.FromSeconds(1);

        Assert.Equal([Prefix + "route.timeout is not used: the service has http routes, and each route sets its own timeout."], Warnings(service));
    }

    [Fact]
    public void Validate_DestinationToUnknownHostOrSubset_WarnedWithWhatHappens()
    {
        var service = Service(Route(To("nowhere.example.org", weight: 1), To("api.example.com", "v7", weight: 1)));

        Assert.Equal(
            [
                Prefix + "http[0].route[0].destination.host 'nowhere.example.org' is not a host of any external service: requests this route sends there are blocked (502 NR) under REGISTRY_ONLY and fail with 503 NC (cluster not found) under ALLOW_ANY. Declare the host as an external service.",
                Prefix + "http[0].route[1].destination.subset 'v7' is not a subset of external service 'api.example.com': requests this route sends there fail with 503 NC (cluster not found).",
            ],
            Warnings(service));
    }
}
