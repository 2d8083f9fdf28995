using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Steer.Proxy.Native;
using Steer.Proxy.Udp;

namespace Steer.Proxy.Tests.Unit;

/// <summary>The SOCKS5 UDP header (RFC 1928 §7): what is written reads back; any bytes parse without throwing.</summary>
public sealed class Socks5UdpHeaderTests
{
    [Fact]
    public void Written_headers_read_back_for_both_families()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<((bool, uint, ushort), (ulong, ulong))>(), input =>
        {
            var ((ipv4, v4, port), (high, low)) = input;
            var address = ipv4 ? FlowEndpoint.FromIPv4(v4, port) : new FlowEndpoint(new UInt128(high, low), port);
            if (!ipv4 && address.IsIPv4)
                return true; // an IPv4-mapped IPv6 address is written as IPv4
            Span<byte> buffer = stackalloc byte[Socks5UdpHeader.MaxLength + 4];
            var length = Socks5UdpHeader.Write(buffer, address);
            return length == Socks5UdpHeader.LengthFor(address)
                && Socks5UdpHeader.Read(buffer, out var read) == length && read == address;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Any_bytes_parse_without_throwing_and_never_claim_more_than_given()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
            Socks5UdpHeader.Read(bytes, out _) is var length && length >= 0 && length <= bytes.Length).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 1, 1, 10, 99, 0, 1, 0x1b, 0x58 })]         // a fragment
    [InlineData(new byte[] { 0, 0, 0, 3, 3, (byte)'a', (byte)'.', (byte)'b', 0, 80 })] // a name
    [InlineData(new byte[] { 0, 0, 0, 1, 10, 99, 0, 1, 0x1b })]               // short
    [InlineData(new byte[] { 0, 0, 0, 4, 0xfd, 0x99, 0, 0, 0, 0, 0, 0 })]     // short IPv6
    public void Fragments_names_and_short_datagrams_are_not_relayed(byte[] datagram) =>
        Assert.Equal(0, Socks5UdpHeader.Read(datagram, out _));

    [Fact]
    public void An_ipv4_header_says_where()
    {
        byte[] datagram = [0, 0, 0, 1, 10, 99, 0, 1, 0x1b, 0x58, .. "ping"u8];
        Assert.Equal(10, Socks5UdpHeader.Read(datagram, out var address));
        Assert.Equal(IPEndPoint.Parse("10.99.0.1:7000"), address.ToIPEndPoint());
    }
}
