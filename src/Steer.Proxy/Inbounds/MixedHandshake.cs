using System.Buffers.Binary;
using System.Text;
using Steer.Proxy.Native;

namespace Steer.Proxy.Inbounds;

/// <summary>
/// SOCKS5 and HTTP CONNECT on one port, told apart by the first byte (5 is SOCKS, a letter is HTTP).
/// SOCKS5: no authentication, CONNECT and UDP ASSOCIATE (the relay is <see cref="Udp.SocksUdpRelay"/>).
/// HTTP: <c>CONNECT host:port HTTP/1.1</c> only; other methods get 405, since forwarding plain HTTP
/// requests would mean rewriting them. Requests are peeked and consumed whole; at most 4 KiB.
/// </summary>
internal sealed unsafe class MixedHandshake : IClientHandshake
{
    private const int MaxRequest = 4096;

    private enum Kind { Unknown, Socks, Http }

    private Kind _kind;
    private bool _greeted;

    /// <summary>The request was SOCKS5 UDP ASSOCIATE rather than CONNECT.</summary>
    public bool IsUdpAssociate { get; private set; }

    public HandshakeStep Advance(int client, byte[] scratch, out FlowEndpoint destination, out string? name)
    {
        destination = default;
        name = null;
        nint n;
        fixed (byte* p = scratch)
            n = Sys.recv(client, p, MaxRequest, Sys.MSG_PEEK | Sys.MSG_DONTWAIT);
        if (n == 0 || (n < 0 && Sys.Errno != Sys.EAGAIN))
            return HandshakeStep.Failed;
        if (n < 0)
            return HandshakeStep.NeedMore;
        var data = scratch.AsSpan(0, (int)n);
        if (_kind == Kind.Unknown)
            _kind = data[0] == 5 ? Kind.Socks : Kind.Http;
        return _kind == Kind.Socks ? AdvanceSocks(client, scratch, data, out destination, out name) : AdvanceHttp(client, scratch, data, out destination, out name);
    }

    private HandshakeStep AdvanceSocks(int client, byte[] scratch, ReadOnlySpan<byte> data, out FlowEndpoint destination, out string? name)
    {
        destination = default;
        name = null;
        var result = SocksRequest.Parse(data, _greeted, out var consumed, out var request);
        if (result == SocksParse.NeedMore)
            return HandshakeStep.NeedMore;
        if (result == SocksParse.Invalid)
            return HandshakeStep.Failed;
        Consume(client, scratch, consumed);
        if (result == SocksParse.Greeting)
        {
            _greeted = true;
            var offersNoAuth = request.NoAuthOffered;
            Send(client, scratch, [5, offersNoAuth ? (byte)0 : (byte)0xff]);
            return offersNoAuth ? Advance(client, scratch, out destination, out name) : HandshakeStep.Failed;
        }
        if (request.Command == 3)
        {
            // UDP ASSOCIATE: the flow becomes the association's control connection.
            IsUdpAssociate = true;
            destination = request.Destination;
            return HandshakeStep.Done;
        }
        if (request.Command != 1)
        {
            SendSocksReply(client, scratch, 7); // command not supported
            return HandshakeStep.Failed;
        }
        destination = request.Destination;
        name = request.Name;
        return HandshakeStep.Done;
    }

    private HandshakeStep AdvanceHttp(int client, byte[] scratch, ReadOnlySpan<byte> data, out FlowEndpoint destination, out string? name)
    {
        destination = default;
        name = null;
        var result = HttpConnectRequest.Parse(data, out var consumed, out destination, out name);
        if (result == HandshakeStep.NeedMore && data.Length >= MaxRequest)
            result = HandshakeStep.Failed;
        if (result == HandshakeStep.Failed)
        {
            Send(client, scratch, "HTTP/1.1 405 Method Not Allowed\r\nAllow: CONNECT\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8);
            return HandshakeStep.Failed;
        }
        if (result == HandshakeStep.Done)
            Consume(client, scratch, consumed);
        return result;
    }

    /// <summary>Tells a UDP ASSOCIATE client where to send its datagrams.</summary>
    public bool SucceedAssociate(int client, byte[] scratch, FlowEndpoint relay) => SendSocksReply(client, scratch, 0, relay);

    public bool Succeed(int client, byte[] scratch, FlowEndpoint bound) => _kind == Kind.Socks
        ? SendSocksReply(client, scratch, 0, bound)
        : Send(client, scratch, "HTTP/1.1 200 Connection established\r\n\r\n"u8);

    public void Fail(int client, byte[] scratch, HandshakeFailure failure)
    {
        if (_kind == Kind.Socks)
            SendSocksReply(client, scratch, failure switch { HandshakeFailure.Refused => 2, HandshakeFailure.ConnectionRefused => 5, _ => 4 });
        else
            Send(client, scratch, failure == HandshakeFailure.Refused
                ? "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8
                : "HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8);
    }

    private static bool SendSocksReply(int client, byte[] scratch, byte code, FlowEndpoint bound = default)
    {
        Span<byte> reply = stackalloc byte[22];
        reply[0] = 5; reply[1] = code; reply[2] = 0;
        int length;
        if (bound.IsEmpty || bound.IsIPv4)
        {
            reply[3] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(reply[4..], bound.IsEmpty ? 0 : (uint)(bound.Address & uint.MaxValue));
            BinaryPrimitives.WriteUInt16BigEndian(reply[8..], bound.Port);
            length = 10;
        }
        else
        {
            reply[3] = 4;
            BinaryPrimitives.WriteUInt128BigEndian(reply[4..], bound.Address);
            BinaryPrimitives.WriteUInt16BigEndian(reply[20..], bound.Port);
            length = 22;
        }
        return Send(client, scratch, reply[..length]);
    }

    private static bool Send(int client, byte[] scratch, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
            return Sys.send(client, p, (nuint)bytes.Length, Sys.MSG_NOSIGNAL | Sys.MSG_DONTWAIT) == bytes.Length;
    }

    private static void Consume(int client, byte[] scratch, int count)
    {
        fixed (byte* p = scratch)
            Sys.recv(client, p, (nuint)count, Sys.MSG_DONTWAIT);
    }
}

public enum SocksParse { NeedMore, Invalid, Greeting, Request }

/// <summary>A parsed SOCKS5 message: the greeting's methods or a request's command and destination.</summary>
public readonly record struct SocksRequest(bool NoAuthOffered, byte Command, FlowEndpoint Destination, string? Name)
{
    /// <summary>Parses the greeting (when not <paramref name="greeted"/>) or the request that follows.</summary>
    public static SocksParse Parse(ReadOnlySpan<byte> data, bool greeted, out int consumed, out SocksRequest request)
    {
        consumed = 0;
        request = default;
        if (data.Length < 2)
            return SocksParse.NeedMore;
        if (data[0] != 5)
            return SocksParse.Invalid;
        if (!greeted)
        {
            var methods = data[1];
            if (methods == 0)
                return SocksParse.Invalid;
            if (data.Length < 2 + methods)
                return SocksParse.NeedMore;
            consumed = 2 + methods;
            request = new SocksRequest(data.Slice(2, methods).Contains((byte)0), 0, default, null);
            return SocksParse.Greeting;
        }
        if (data.Length < 5)
            return SocksParse.NeedMore;
        var command = data[1];
        if (data[2] != 0)
            return SocksParse.Invalid;
        switch (data[3])
        {
            case 1:
                if (data.Length < 10)
                    return SocksParse.NeedMore;
                consumed = 10;
                request = new SocksRequest(true, command, FlowEndpoint.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(data[4..]), BinaryPrimitives.ReadUInt16BigEndian(data[8..])), null);
                return SocksParse.Request;
            case 4:
                if (data.Length < 22)
                    return SocksParse.NeedMore;
                consumed = 22;
                request = new SocksRequest(true, command, new FlowEndpoint(BinaryPrimitives.ReadUInt128BigEndian(data[4..]), BinaryPrimitives.ReadUInt16BigEndian(data[20..])), null);
                return SocksParse.Request;
            case 3:
                var length = data[4];
                if (length == 0)
                    return SocksParse.Invalid;
                if (data.Length < 5 + length + 2)
                    return SocksParse.NeedMore;
                consumed = 5 + length + 2;
                var host = Encoding.ASCII.GetString(data.Slice(5, length));
                var port = BinaryPrimitives.ReadUInt16BigEndian(data[(5 + length)..]);
                request = System.Net.IPAddress.TryParse(host, out var literal)
                    ? new SocksRequest(true, command, FlowEndpoint.From(literal, port), null)
                    : new SocksRequest(true, command, new FlowEndpoint(0, port), host.ToLowerInvariant().TrimEnd('.'));
                return SocksParse.Request;
            default:
                return SocksParse.Invalid;
        }
    }
}

/// <summary><c>CONNECT host:port HTTP/1.x</c> up to the blank line.</summary>
public static class HttpConnectRequest
{
    public static HandshakeStep Parse(ReadOnlySpan<byte> data, out int consumed, out FlowEndpoint destination, out string? name)
    {
        consumed = 0;
        destination = default;
        name = null;
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return data.Length < 8 && "CONNECT "u8.StartsWith(data) ? HandshakeStep.NeedMore
                 : data.StartsWith("CONNECT "u8) ? HandshakeStep.NeedMore : HandshakeStep.Failed;
        consumed = end + 4;
        var lineEnd = data.IndexOf("\r\n"u8);
        var parts = Encoding.ASCII.GetString(data[..lineEnd]).Split(' ');
        if (parts.Length != 3 || parts[0] != "CONNECT" || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            return HandshakeStep.Failed;
        var target = parts[1];
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(target.AsSpan(colon + 1), out var port) || port == 0)
            return HandshakeStep.Failed;
        var host = target[..colon].Trim('[', ']');
        if (System.Net.IPAddress.TryParse(host, out var literal))
            destination = FlowEndpoint.From(literal, port);
        else
        {
            destination = new FlowEndpoint(0, port);
            name = host.ToLowerInvariant().TrimEnd('.');
        }
        return HandshakeStep.Done;
    }
}
