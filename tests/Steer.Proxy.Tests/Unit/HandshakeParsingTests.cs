using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Steer.Proxy.Inbounds;
using Steer.Proxy.Native;

namespace Steer.Proxy.Tests.Unit;

public sealed class HandshakeParsingTests
{
    [Fact]
    public void Socks_greeting_offers_no_authentication()
    {
        Assert.Equal(SocksParse.Greeting, SocksRequest.Parse([5, 2, 2, 0], greeted: false, out var consumed, out var request));
        Assert.Equal(4, consumed);
        Assert.True(request.NoAuthOffered);
        Assert.Equal(SocksParse.NeedMore, SocksRequest.Parse([5, 2, 2], greeted: false, out _, out _));
    }

    [Fact]
    public void Socks_connect_by_ipv4_ipv6_and_name()
    {
        Assert.Equal(SocksParse.Request, SocksRequest.Parse([5, 1, 0, 1, 10, 0, 0, 1, 0x01, 0xbb], true, out var consumed, out var v4));
        Assert.Equal(10, consumed);
        Assert.Equal(FlowEndpoint.From(IPAddress.Parse("10.0.0.1"), 443), v4.Destination);

        byte[] v6Bytes = [5, 1, 0, 4, .. IPAddress.Parse("2001:db8::1").GetAddressBytes(), 0, 80];
        Assert.Equal(SocksParse.Request, SocksRequest.Parse(v6Bytes, true, out _, out var v6));
        Assert.Equal("[2001:db8::1]:80", v6.Destination.ToString());

        byte[] named = [5, 1, 0, 3, 11, .. "Example.COM"u8, 0, 80, 99];
        Assert.Equal(SocksParse.Request, SocksRequest.Parse(named, true, out consumed, out var byName));
        Assert.Equal(named.Length - 1, consumed);
        Assert.Equal("example.com", byName.Name);
        Assert.False(byName.Destination.HasAddress);
        Assert.Equal(80, byName.Destination.Port);
    }

    [Fact]
    public void Socks_requests_never_throw_and_never_consume_more_than_given()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<(bool, byte[])>(), input =>
        {
            var result = SocksRequest.Parse(input.Item2, input.Item1, out var consumed, out _);
            return consumed <= input.Item2.Length && (result is SocksParse.Greeting or SocksParse.Request) == consumed > 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Http_connect_to_a_name_and_to_an_address()
    {
        var text = "CONNECT www.example.com:443 HTTP/1.1\r\nHost: www.example.com:443\r\n\r\nrest";
        Assert.Equal(HandshakeStep.Done, HttpConnectRequest.Parse(Encoding.ASCII.GetBytes(text), out var consumed, out var destination, out var name));
        Assert.Equal(text.Length - 4, consumed);
        Assert.Equal("www.example.com", name);
        Assert.Equal(443, destination.Port);

        Assert.Equal(HandshakeStep.Done, HttpConnectRequest.Parse("CONNECT [2001:db8::2]:8443 HTTP/1.1\r\n\r\n"u8, out _, out destination, out name));
        Assert.Null(name);
        Assert.Equal("[2001:db8::2]:8443", destination.ToString());
    }

    [Theory]
    [InlineData("GET http://example.com/ HTTP/1.1\r\n\r\n", HandshakeStep.Failed)]
    [InlineData("CONNECT example.com HTTP/1.1\r\n\r\n", HandshakeStep.Failed)]
    [InlineData("CONNECT example.com:0 HTTP/1.1\r\n\r\n", HandshakeStep.Failed)]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n", HandshakeStep.NeedMore)]
    [InlineData("CONN", HandshakeStep.NeedMore)]
    public void Http_requests_other_than_connect(string text, HandshakeStep expected) =>
        Assert.Equal(expected, HttpConnectRequest.Parse(Encoding.ASCII.GetBytes(text), out _, out _, out _));
}
