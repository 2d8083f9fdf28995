using System.Runtime.InteropServices;
using Steer.Linux.Native;

namespace Steer.Linux.Netlink;

// Link changes. Each verb is one RTM_NEWLINK / RTM_DELLINK, like the ip command it names.
public sealed partial class NetlinkHandle
{
    private const ushort Change = Nl.NLM_F_REQUEST | Nl.NLM_F_ACK;
    private const ushort Create = Change | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL;

    /// <summary><c>ip link add NAME type veth peer name PEER [netns NS]</c>: a veth pair, both
    /// ends down. With <paramref name="peerNamespace"/> (an open namespace, see
    /// <see cref="NetNamespace.Open"/>) the peer is created directly in that namespace.</summary>
    public void CreateVethPair(string name, string peerName, SafeHandle? peerNamespace = null)
    {
        var link = new LinkId(name);
        var peer = new LinkId(peerName);
        bool added = false;
        try
        {
            peerNamespace?.DangerousAddRef(ref added);
            Span<byte> buffer = stackalloc byte[ChangeBufferSize];
            var request = new NetlinkMessageWriter(buffer, Rt.RTM_NEWLINK, Create);
            request.AddFixed(Rt.IfInfoMsgSize);
            request.AddString(Rt.IFLA_IFNAME, link.Name!);
            int info = request.BeginNested(Rt.IFLA_LINKINFO);
            request.AddString(Rt.IFLA_INFO_KIND, "veth");
            int data = request.BeginNested(Rt.IFLA_INFO_DATA);
            int peerInfo = request.BeginNested(Rt.VETH_INFO_PEER);
            request.AddFixed(Rt.IfInfoMsgSize); // the peer's own ifinfomsg comes first
            request.AddString(Rt.IFLA_IFNAME, peer.Name!);
            if (peerNamespace is not null)
                request.AddUInt32(Rt.IFLA_NET_NS_FD, (uint)peerNamespace.DangerousGetHandle());
            request.EndNested(peerInfo);
            request.EndNested(data);
            request.EndNested(info);
            string where = peerNamespace is null ? "" : " in another namespace";
            ExecuteChange(ref request, $"RTM_NEWLINK {name} type veth peer {peerName}{where}");
        }
        finally
        {
            if (added)
                peerNamespace!.DangerousRelease();
        }
    }

    /// <summary><c>ip link set LINK up</c> (for loopback too: <c>SetLinkUp("lo")</c>).</summary>
    public void SetLinkUp(LinkId link) => SetFlags(link, Rt.IFF_UP, Rt.IFF_UP, "up");

    /// <summary><c>ip link set LINK down</c>.</summary>
    public void SetLinkDown(LinkId link) => SetFlags(link, 0, Rt.IFF_UP, "down");

    /// <summary><c>ip link set LINK mtu MTU</c>.</summary>
    public void SetLinkMtu(LinkId link, uint mtu)
    {
        Span<byte> buffer = stackalloc byte[ChangeBufferSize];
        var request = StartLinkChange(buffer, Rt.RTM_NEWLINK, link);
        request.AddUInt32(Rt.IFLA_MTU, mtu);
        ExecuteChange(ref request, $"RTM_NEWLINK {link} mtu {mtu}");
    }

    /// <summary><c>ip link set LINK netns NS</c>: moves the link into the open namespace
    /// <paramref name="netns"/>. It leaves this handle's namespace, down, without its addresses.</summary>
    public void MoveLinkToNamespace(LinkId link, SafeHandle netns)
    {
        ArgumentNullException.ThrowIfNull(netns);
        bool added = false;
        try
        {
            netns.DangerousAddRef(ref added);
            Span<byte> buffer = stackalloc byte[ChangeBufferSize];
            var request = StartLinkChange(buffer, Rt.RTM_NEWLINK, link);
            request.AddUInt32(Rt.IFLA_NET_NS_FD, (uint)netns.DangerousGetHandle());
            ExecuteChange(ref request, $"RTM_NEWLINK {link} netns fd {netns.DangerousGetHandle()}");
        }
        finally
        {
            if (added)
                netns.DangerousRelease();
        }
    }

    /// <summary><c>ip link set LINK name NEWNAME</c>. Kernels before 6.2 rename only links that
    /// are down (EBUSY otherwise).</summary>
    public void RenameLink(LinkId link, string newName)
    {
        var renamed = new LinkId(newName);
        // IFLA_IFNAME is the new name here, so the link must be given by index.
        int index = IndexOf(link, $"RTM_NEWLINK {link} name {newName}");
        Span<byte> buffer = stackalloc byte[ChangeBufferSize];
        var request = StartLinkChange(buffer, Rt.RTM_NEWLINK, index);
        request.AddString(Rt.IFLA_IFNAME, renamed.Name!);
        ExecuteChange(ref request, $"RTM_NEWLINK {link} name {newName}");
    }

    /// <summary><c>ip link del LINK</c>. Deleting one end of a veth pair deletes both.</summary>
    public void DeleteLink(LinkId link)
    {
        Span<byte> buffer = stackalloc byte[ChangeBufferSize];
        var request = StartLinkChange(buffer, Rt.RTM_DELLINK, link);
        ExecuteChange(ref request, $"RTM_DELLINK {link}");
    }

    /// <summary>The ifindex of <paramref name="link"/>, asking the kernel when it is named;
    /// a missing link throws ENODEV described as <paramref name="what"/>.</summary>
    private int IndexOf(LinkId link, string what) =>
        link.Name is null ? link.Index
            : GetLink(link.Name)?.Index ?? throw new NetlinkException(what, Errno.ENODEV, $"no link named {link.Name}");

    private void SetFlags(LinkId link, uint flags, uint change, string word)
    {
        Span<byte> buffer = stackalloc byte[ChangeBufferSize];
        var request = StartLinkChange(buffer, Rt.RTM_NEWLINK, link, flags, change);
        ExecuteChange(ref request, $"RTM_NEWLINK {link} {word}");
    }

    /// <summary>An RTM_NEWLINK/RTM_DELLINK naming an existing link by index or by IFLA_IFNAME;
    /// <paramref name="flags"/> and <paramref name="change"/> are ifi_flags and the mask of those to change.</summary>
    private static NetlinkMessageWriter StartLinkChange(Span<byte> buffer, ushort type, LinkId link, uint flags = 0, uint change = 0)
    {
        var request = new NetlinkMessageWriter(buffer, type, Change);
        var header = request.AddFixed(Rt.IfInfoMsgSize);
        MemoryMarshal.Write(header[8..], in flags);
        MemoryMarshal.Write(header[12..], in change);
        if (link.Name is null)
            MemoryMarshal.Write(header[4..], link.Index);
        else
            request.AddString(Rt.IFLA_IFNAME, link.Name);
        return request;
    }
}
