using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>IFA_F_* flags of an address (<c>ip addr</c> prints them after the scope).</summary>
[Flags]
public enum AddressFlags : uint
{
    None = 0,
    Secondary = 0x01,
    NoDad = 0x02,
    Optimistic = 0x04,
    DadFailed = 0x08,
    HomeAddress = 0x10,
    Deprecated = 0x20,
    Tentative = 0x40,
    Permanent = 0x80,
    ManageTempAddress = 0x100,
    NoPrefixRoute = 0x200,
    MulticastAutoJoin = 0x400,
    StablePrivacy = 0x800,
}

/// <summary>
/// An address on an interface as <c>ip addr</c> shows it. Only data: decoding lives in
/// <see cref="AddressDecoder"/>. <see cref="Address"/> carries no IPv6 scope id; use
/// <see cref="InterfaceIndex"/> for that.
/// </summary>
/// <param name="InterfaceIndex">The ifindex of the link holding the address.</param>
/// <param name="Address">The local address (IFA_LOCAL, else IFA_ADDRESS).</param>
/// <param name="PrefixLength">The prefix length of the on-link subnet.</param>
/// <param name="Scope">RT_SCOPE_*: 0 global, 200 site, 253 link, 254 host.</param>
/// <param name="Flags">IFA_FLAGS when present, else the 8-bit ifa_flags.</param>
/// <param name="Label">The IPv4 label (usually the interface name); null for IPv6.</param>
public sealed record InterfaceAddress(
    int InterfaceIndex, IPAddress Address, int PrefixLength, byte Scope, AddressFlags Flags, string? Label)
{
    /// <summary>Still being checked by duplicate address detection, so not usable as a source yet.</summary>
    public bool IsTentative => (Flags & AddressFlags.Tentative) != 0;

    /// <summary>The <c>ip -o addr</c> text, for example <c>3: inet6 fd00::1/64 scope global nodad</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(InterfaceIndex).Append(": ");
        text.Append(Address.AddressFamily == AddressFamily.InterNetworkV6 ? "inet6 " : "inet ");
        text.Append(Address).Append('/').Append(PrefixLength).Append(" scope ").Append(ScopeName(Scope));
        foreach (var (flag, word) in FlagWords)
            if ((Flags & flag) != 0)
                text.Append(' ').Append(word);
        if ((Flags & AddressFlags.Permanent) == 0)
            text.Append(" dynamic");
        if (Label is not null)
            text.Append(' ').Append(Label);
        return text.ToString();
    }

    /// <summary>The word <c>ip</c> prints for an RT_SCOPE_* value, or the number.</summary>
    public static string ScopeName(byte scope) => scope switch
    {
        0 => "global",
        200 => "site",
        253 => "link",
        254 => "host",
        255 => "nowhere",
        _ => scope.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // In the order iproute2 prints them.
    private static readonly (AddressFlags Flag, string Word)[] FlagWords =
    [
        (AddressFlags.Secondary, "secondary"),
        (AddressFlags.Tentative, "tentative"),
        (AddressFlags.Deprecated, "deprecated"),
        (AddressFlags.HomeAddress, "home"),
        (AddressFlags.NoDad, "nodad"),
        (AddressFlags.ManageTempAddress, "mngtmpaddr"),
        (AddressFlags.NoPrefixRoute, "noprefixroute"),
        (AddressFlags.MulticastAutoJoin, "autojoin"),
        (AddressFlags.Optimistic, "optimistic"),
        (AddressFlags.DadFailed, "dadfailed"),
        (AddressFlags.StablePrivacy, "stable-privacy"),
    ];
}
