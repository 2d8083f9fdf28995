using System.Runtime.InteropServices;
using System.Text;
using Steer.Linux.Native;

namespace Steer.Linux.Netlink;

/// <summary>
/// rtnetlink for one network namespace: the namespace the socket was opened in, whichever thread
/// later calls. Verbs mirror <c>ip</c> commands and are serialised on the one socket.
/// </summary>
public sealed partial class NetlinkHandle : IDisposable
{
    private const int RequestBufferSize = 128; // our queries: header, family header, two small attributes
    private const int ChangeBufferSize = 512;  // our changes: the largest, a rule with every selector, is under 200
    private const int MaxInterfaceNameBytes = 15; // IFNAMSIZ - 1

    private readonly NetlinkSocket _socket;
    private readonly Lock _gate = new();
    private uint _sequence;
    private bool _disposed;

    internal NetlinkHandle(NetlinkSocket socket) => _socket = socket;

    /// <summary>A handle on the calling thread's network namespace.</summary>
    public static NetlinkHandle Open() => new(NetlinkSocket.Open());

    /// <summary>A handle on the namespace at <paramref name="netnsPath"/> (for example
    /// <c>/run/netns/NAME</c>, see <see cref="NetNamespace.PathOf"/>); the socket is opened on a
    /// thread that entered it, and stays there.</summary>
    public static NetlinkHandle OpenAt(string netnsPath) => new(NetNamespace.Run(netnsPath, NetlinkSocket.Open));

    /// <summary><c>ip link show</c>: every link in the namespace.</summary>
    public IReadOnlyList<Link> ListLinks()
    {
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP);
        request.AddFixed(Rt.IfInfoMsgSize);
        request.AddUInt32(Rt.IFLA_EXT_MASK, Rt.RTEXT_FILTER_SKIP_STATS);
        var links = new List<Link>();
        Execute(ref request, "RTM_GETLINK dump", (in NetlinkMessage m) =>
        {
            if (m.Type == Rt.RTM_NEWLINK)
                links.Add(LinkDecoder.Decode(m).Link);
        });
        return links;
    }

    /// <summary><c>ip link show dev NAME</c>: the link, or null when there is none by that name.</summary>
    public Link? GetLink(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // No link can have such a name; asking would only earn a policy error from the kernel.
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0 || bytes > MaxInterfaceNameBytes)
            return null;
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK);
        request.AddFixed(Rt.IfInfoMsgSize);
        request.AddString(Rt.IFLA_IFNAME, name);
        request.AddUInt32(Rt.IFLA_EXT_MASK, Rt.RTEXT_FILTER_SKIP_STATS);
        return GetOneLink(ref request, $"RTM_GETLINK {name}");
    }

    /// <summary><c>ip link show dev NAME</c> by ifindex: the link, or null when there is none.</summary>
    public Link? GetLink(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETLINK, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK);
        MemoryMarshal.Write(request.AddFixed(Rt.IfInfoMsgSize)[4..], in index); // ifi_index
        request.AddUInt32(Rt.IFLA_EXT_MASK, Rt.RTEXT_FILTER_SKIP_STATS);
        return GetOneLink(ref request, $"RTM_GETLINK index {index}");
    }

    /// <summary><c>ip addr show [dev NAME]</c>: IPv4 and IPv6 addresses, of one link when
    /// <paramref name="interfaceIndex"/> is given.</summary>
    public IReadOnlyList<InterfaceAddress> ListAddresses(int? interfaceIndex = null)
    {
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP);
        request.AddFixed(Rt.IfAddrMsgSize)[0] = Rt.AF_UNSPEC;
        var addresses = new List<InterfaceAddress>();
        // Filtered here: kernels filter a dump by index only with NETLINK_GET_STRICT_CHK (5.3+).
        Execute(ref request, "RTM_GETADDR dump", (in NetlinkMessage m) =>
        {
            if (m.Type == Rt.RTM_NEWADDR && AddressDecoder.Decode(m) is { } address
                && (interfaceIndex is null || address.InterfaceIndex == interfaceIndex))
                addresses.Add(address);
        });
        return addresses;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _socket.Dispose();
        }
    }

    private Link? GetOneLink(ref NetlinkMessageWriter request, string what)
    {
        Link? link = null;
        try
        {
            Execute(ref request, what, (in NetlinkMessage m) =>
            {
                if (m.Type == Rt.RTM_NEWLINK)
                    link = LinkDecoder.Decode(m).Link;
            });
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
        return link;
    }

    /// <summary>Sends a change and waits for the kernel's ACK; a refusal throws <see cref="NetlinkException"/>.</summary>
    private void ExecuteChange(ref NetlinkMessageWriter request, string what) =>
        Execute(ref request, what, static (in NetlinkMessage _) => { });

    private void Execute(ref NetlinkMessageWriter request, string what, ReplyHandler onReply)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            uint sequence = ++_sequence;
            NetlinkRequest.Execute(_socket, request.Finish(sequence), sequence, what, onReply);
        }
    }
}
