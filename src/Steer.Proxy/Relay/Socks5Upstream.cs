using System.Buffers.Binary;
using System.Text;
using Steer.Proxy.Inbounds;
using Steer.Proxy.Native;

namespace Steer.Proxy.Relay;

/// <summary>
/// The client side of SOCKS5 towards an upstream proxy (RFC 1928, no authentication): greeting and
/// request (CONNECT, or UDP ASSOCIATE for UDP sessions) sent together, replies read by peeking so no
/// byte of the relayed stream is eaten. A name is passed to the upstream as a name (ATYP 3), so it
/// resolves it on its side.
/// </summary>
internal static unsafe class Socks5Upstream
{
    public const byte Connect = 1;
    public const byte UdpAssociate = 3;

    /// <summary>Greeting and request. For UDP ASSOCIATE, <paramref name="destination"/> is the
    /// address the datagrams will come from, all zeros when not known yet (RFC 1928 §6).</summary>
    public static bool SendRequest(int fd, byte command, in FlowEndpoint destination, string? name, byte[] scratch)
    {
        var span = scratch.AsSpan();
        span[0] = 5; span[1] = 1; span[2] = 0;          // greeting: version 5, one method, no auth
        span[3] = 5; span[4] = command; span[5] = 0;
        var at = 6;
        if (!destination.HasAddress && name is not null && command == Connect)
        {
            span[at++] = 3;
            var length = Encoding.ASCII.GetBytes(name, span[(at + 1)..]);
            span[at++] = (byte)length;
            at += length;
        }
        else if (destination.IsIPv4)
        {
            span[at++] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)(destination.Address & uint.MaxValue));
            at += 4;
        }
        else
        {
            span[at++] = 4;
            BinaryPrimitives.WriteUInt128BigEndian(span[at..], destination.Address);
            at += 16;
        }
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], destination.Port);
        at += 2;
        fixed (byte* p = scratch)
            return Sys.send(fd, p, (nuint)at, Sys.MSG_NOSIGNAL | Sys.MSG_DONTWAIT) == at;
    }

    /// <summary>Method choice (2 bytes) then the request's reply; consumed only when complete.
    /// <paramref name="bound"/> is the reply's BND address (for UDP ASSOCIATE, where the relay
    /// takes datagrams); empty when the reply gives a name.</summary>
    public static HandshakeStep ReadReply(int fd, byte[] scratch, out FlowEndpoint bound)
    {
        bound = default;
        nint n;
        fixed (byte* p = scratch)
            n = Sys.recv(fd, p, 512, Sys.MSG_PEEK | Sys.MSG_DONTWAIT);
        if (n == 0 || (n < 0 && Sys.Errno != Sys.EAGAIN))
            return HandshakeStep.Failed;
        if (n < 0)
            return HandshakeStep.NeedMore;
        var data = scratch.AsSpan(0, (int)n);
        if (data.Length < 2)
            return HandshakeStep.NeedMore;
        if (data[0] != 5 || data[1] != 0)
            return HandshakeStep.Failed;
        var reply = data[2..];
        if (reply.Length < 5)
            return HandshakeStep.NeedMore;
        if (reply[0] != 5 || reply[1] != 0)
            return HandshakeStep.Failed;
        var length = reply[3] switch { 1 => 4 + 4 + 2, 4 => 4 + 16 + 2, 3 => 4 + 1 + reply[4] + 2, _ => -1 };
        if (length < 0)
            return HandshakeStep.Failed;
        if (reply.Length < length)
            return HandshakeStep.NeedMore;
        if (reply[3] == 1)
            bound = FlowEndpoint.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(reply[4..]), BinaryPrimitives.ReadUInt16BigEndian(reply[8..]));
        else if (reply[3] == 4)
            bound = new FlowEndpoint(BinaryPrimitives.ReadUInt128BigEndian(reply[4..]), BinaryPrimitives.ReadUInt16BigEndian(reply[20..]));
        fixed (byte* p = scratch)
            Sys.recv(fd, p, (nuint)(2 + length), Sys.MSG_DONTWAIT);
        return HandshakeStep.Done;
    }
}
