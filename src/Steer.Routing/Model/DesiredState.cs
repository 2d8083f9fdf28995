using Steer.Linux.Netlink;

namespace Steer.Routing.Model;

/// <summary>A sysctl the route plane needs (slashed key, <c>net/ipv4/conf/all/src_valid_mark</c>).</summary>
public sealed record SysctlSetting(string Key, string Value)
{
    /// <summary>The dotted form people type, where the interface name allows it.</summary>
    public string DisplayKey => Key.Replace('/', '.');
}

/// <summary>A symmetric uplink's conntrack mark: connections arriving on <see cref="Interface"/>
/// are marked <see cref="Mark"/>, and their replies carry it as packet mark.</summary>
public sealed record MarkBinding(string Interface, uint Mark)
{
    /// <summary>By interface name, then mark: the order marks are listed and compared in.</summary>
    public static IComparer<MarkBinding> Order { get; } = Comparer<MarkBinding>.Create((a, b) =>
        string.CompareOrdinal(a.Interface, b.Interface) is var c and not 0 ? c : a.Mark.CompareTo(b.Mark));

    public override string ToString() => $"{Interface} 0x{Mark:x}";
}

/// <summary>
/// Everything the route plane wants in the kernel for one configuration and one set of
/// <see cref="HostFacts"/>. Routes and rules carry <see cref="Ownership.Protocol"/>; routes are in
/// the order they can be added (connected routes before the default routes that use them).
/// </summary>
/// <param name="Problems">Why this state must not be applied (empty when it may be).</param>
/// <param name="Notes">What is incomplete for now and why (an uplink without its link, say).</param>
public sealed record DesiredState(
    IReadOnlyList<Route> Routes,
    IReadOnlyList<Rule> Rules,
    IReadOnlyList<MarkBinding> Marks,
    IReadOnlyList<SysctlSetting> Sysctls,
    IReadOnlySet<uint> Tables,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Notes);
