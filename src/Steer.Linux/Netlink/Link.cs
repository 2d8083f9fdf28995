using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>
/// A network interface as <c>ip link</c> shows it. Only data: decoding lives in
/// <see cref="LinkDecoder"/>, requests in <see cref="NetlinkHandle"/>.
/// </summary>
/// <param name="Index">The ifindex, stable for the link's life in its namespace.</param>
/// <param name="Name">The interface name (IFLA_IFNAME).</param>
/// <param name="IsUp">Administratively up (IFF_UP).</param>
/// <param name="HasCarrier">The lower layer is up (IFF_LOWER_UP): a cable, a peer, a TUN reader.</param>
/// <param name="Mtu">IFLA_MTU.</param>
/// <param name="Kind">The driver kind of a virtual link ("veth", "wireguard"), null for hardware.</param>
/// <param name="Type">The ARPHRD_* hardware type (1 = Ethernet, 772 = loopback, 65534 = none).</param>
public sealed record Link(int Index, string Name, bool IsUp, bool HasCarrier, uint Mtu, string? Kind, ushort Type)
{
    /// <summary>Usable for traffic: up and with carrier.</summary>
    public bool IsRunning => IsUp && HasCarrier;

    /// <summary>The <c>ip -o link</c> line for the fields this record holds, for example
    /// <c>3: veth0: &lt;UP,LOWER_UP&gt; mtu 1500 link/ether type veth</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Index).Append(": ").Append(Name).Append(": <");
        text.Append(IsUp && HasCarrier ? "UP,LOWER_UP" : IsUp ? "UP" : HasCarrier ? "LOWER_UP" : "");
        text.Append("> mtu ").Append(Mtu).Append(" link/").Append(TypeName(Type));
        if (Kind is not null)
            text.Append(" type ").Append(Kind);
        return text.ToString();
    }

    /// <summary>The name <c>ip</c> prints after "link/" (iproute2's ll_types.c), or the number.</summary>
    public static string TypeName(ushort type) => type switch
    {
        1 => "ether",
        768 => "ipip",
        769 => "tunnel6",
        772 => "loopback",
        776 => "sit",
        778 => "gre",
        823 => "ip6gre",
        65534 => "none",
        65535 => "void",
        _ => $"[{type}]",
    };
}
