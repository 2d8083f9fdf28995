using System.Net;
using System.Net.Sockets;

namespace Steer.Linux.Netlink;

public sealed partial class NetlinkHandle
{
    /// <summary>
    /// <c>ip route get DST [oif IFACE] [mark MARK]</c>: the route the kernel would pick right now,
    /// with every policy rule applied — what a socket bound to <paramref name="outputInterface"/>
    /// would use. Throws the kernel's answer when there is none (ENETUNREACH, EHOSTUNREACH...).
    /// </summary>
    public Route LookupRoute(IPAddress destination, int? outputInterface = null, uint? mark = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK);
        var header = request.AddFixed(Rt.RtMsgSize);
        bool v6 = destination.AddressFamily == AddressFamily.InterNetworkV6;
        header[0] = v6 ? Rt.AF_INET6 : Rt.AF_INET;
        header[1] = (byte)(v6 ? 128 : 32); // rtm_dst_len
        request.AddAddress(Rt.RTA_DST, destination);
        if (outputInterface is int oif)
            request.AddUInt32(Rt.RTA_OIF, (uint)oif);
        if (mark is uint m)
            request.AddUInt32(RtaMark, m);
        Route? route = null;
        Execute(ref request, $"RTM_GETROUTE {destination}{(outputInterface is null ? "" : $" oif {outputInterface}")}", (in NetlinkMessage message) =>
        {
            if (message.Type == Rt.RTM_NEWROUTE)
                route = RouteDecoder.DecodeLookup(message);
        });
        return route ?? throw new NetlinkException($"RTM_GETROUTE {destination}: no route in the reply", Native.Errno.ENETUNREACH, null);
    }

    private const ushort RtaMark = 16; // RTA_MARK
}
