using System.Net;
using System.Runtime.InteropServices;

namespace Steer.Linux.Netlink;

// Address changes: RTM_NEWADDR / RTM_DELADDR, like ip addr add / del.
public sealed partial class NetlinkHandle
{
    /// <summary><c>ip addr add ADDRESS/PREFIX dev LINK [nodad]</c>. Pass
    /// <see cref="AddressFlags.NoDad"/> for an IPv6 address usable at once, without the second or
    /// two of duplicate address detection. IPv4 loopback addresses get host scope, as ip gives them.</summary>
    public void AddAddress(LinkId link, IPAddress address, int prefixLength, AddressFlags flags = AddressFlags.None)
    {
        string what = $"RTM_NEWADDR {address}/{prefixLength} {link}";
        ChangeAddress(Rt.RTM_NEWADDR, Create, link, address, prefixLength, flags, what);
    }

    /// <summary><c>ip addr del ADDRESS/PREFIX dev LINK</c>.</summary>
    public void DeleteAddress(LinkId link, IPAddress address, int prefixLength)
    {
        string what = $"RTM_DELADDR {address}/{prefixLength} {link}";
        ChangeAddress(Rt.RTM_DELADDR, Change, link, address, prefixLength, AddressFlags.None, what);
    }

    private void ChangeAddress(ushort type, ushort messageFlags, LinkId link, IPAddress address, int prefixLength, AddressFlags flags, string what)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte family = AddressAttributes.FamilyOf(address);
        int bits = AddressAttributes.SizeOf(family) * 8;
        if (address.AddressFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6))
            throw new ArgumentException($"{what}: not an IPv4 or IPv6 address", nameof(address));
        if (prefixLength < 0 || prefixLength > bits)
            throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, $"{what}: prefix length must be 0..{bits}");
        int index = IndexOf(link, what);

        Span<byte> buffer = stackalloc byte[ChangeBufferSize];
        var request = new NetlinkMessageWriter(buffer, type, messageFlags);
        var header = request.AddFixed(Rt.IfAddrMsgSize);
        header[0] = family;
        header[1] = (byte)prefixLength;
        header[2] = (byte)flags; // the low 8 bits; IFA_FLAGS below carries all 32
        header[3] = family == Rt.AF_INET && IPAddress.IsLoopback(address) ? (byte)RouteScope.Host : (byte)RouteScope.Universe;
        MemoryMarshal.Write(header[4..], in index);
        // IFA_LOCAL is our address; IFA_ADDRESS the peer, the same address on a broadcast link.
        request.AddAddress(Rt.IFA_LOCAL, address);
        request.AddAddress(Rt.IFA_ADDRESS, address);
        if (flags != AddressFlags.None)
            request.AddUInt32(Rt.IFA_FLAGS, (uint)flags);
        ExecuteChange(ref request, what);
    }
}
