using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>
/// The selectors of <c>ip route get DST [from SRC] [iif IFACE] [oif IFACE] [mark MARK]</c>. With
/// <see cref="InputInterface"/> the kernel routes a packet as if it had arrived there (a
/// forwarded or incoming packet); without it, as if a local socket sent it.
/// </summary>
public sealed record RouteQuery(IPAddress Destination)
{
    public IPAddress? Source { get; init; }
    public int? InputInterface { get; init; }
    public int? OutputInterface { get; init; }
    public uint? Mark { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder().Append(Destination);
        if (Source is not null)
            text.Append(" from ").Append(Source);
        if (InputInterface is { } iif)
            text.Append(" iif if").Append(iif);
        if (OutputInterface is { } oif)
            text.Append(" oif if").Append(oif);
        if (Mark is { } mark)
            text.Append(" mark 0x").Append(mark.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        return text.ToString();
    }
}

public sealed partial class NetlinkHandle
{
    private const uint RtmFlagLookupTable = 0x1000; // RTM_F_LOOKUP_TABLE

    /// <summary><c>ip route get</c> with every selector of <paramref name="query"/>: the route the
    /// kernel picks with all policy rules applied; its <see cref="Route.Table"/> is the table the
    /// route was found in. Throws the kernel's answer when there is none.</summary>
    public Route LookupRoute(RouteQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var destination = query.Destination;
        bool v6 = destination.AddressFamily == AddressFamily.InterNetworkV6;
        if (query.Source is { } source && source.AddressFamily != destination.AddressFamily)
            throw new ArgumentException($"route get {query}: source and destination differ in family", nameof(query));
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETROUTE, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK);
        var header = request.AddFixed(Rt.RtMsgSize);
        header[0] = v6 ? Rt.AF_INET6 : Rt.AF_INET;
        header[1] = (byte)(v6 ? 128 : 32); // rtm_dst_len
        // RTM_F_LOOKUP_TABLE: report the table the route was found in (the kernel says main otherwise).
        System.Runtime.InteropServices.MemoryMarshal.Write(header[8..], RtmFlagLookupTable);
        request.AddAddress(Rt.RTA_DST, destination);
        if (query.Source is not null)
        {
            header[2] = (byte)(v6 ? 128 : 32); // rtm_src_len
            request.AddAddress(Rt.RTA_SRC, query.Source);
        }
        if (query.InputInterface is int iif)
            request.AddUInt32(Rt.RTA_IIF, (uint)iif);
        if (query.OutputInterface is int oif)
            request.AddUInt32(Rt.RTA_OIF, (uint)oif);
        if (query.Mark is uint mark)
            request.AddUInt32(RtaMark, mark);
        Route? route = null;
        Execute(ref request, $"RTM_GETROUTE {query}", (in NetlinkMessage message) =>
        {
            if (message.Type == Rt.RTM_NEWROUTE)
                route = RouteDecoder.DecodeLookup(message);
        });
        return route ?? throw new NetlinkException($"RTM_GETROUTE {query}: no route in the reply", Native.Errno.ENETUNREACH, null);
    }
}
