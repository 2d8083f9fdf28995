using System.Net.Sockets;
using Steer.Linux.Native;
using Steer.Linux.Sysctls;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>Network sysctls: per namespace, errors that name the key, keys confined to net.</summary>
public sealed class SysctlTests
{
    [Fact]
    public void Writes_inside_a_namespace_stay_there()
    {
        using var ns = TestNamespace.Create();
        ns.Ip("link", "add", "v.5", "type", "veth", "peer", "name", "w0");
        string hostForwarding = Sysctl.Read("net.ipv4.ip_forward");

        var (forwarding, forwarding6, rpFilter, validMark) = NetNamespace.Run(ns.Path, () =>
        {
            Sysctl.SetForwarding(AddressFamily.InterNetwork, true);
            Sysctl.SetForwarding(AddressFamily.InterNetworkV6, true);
            Sysctl.SetReversePathFilter("v.5", ReversePathFilter.Loose); // a dot in the name
            Sysctl.SetSourceValidMark("all", true);
            return (Sysctl.Read("net.ipv4.ip_forward"), Sysctl.Read("net/ipv6/conf/all/forwarding"),
                Sysctl.GetReversePathFilter("v.5"), Sysctl.Read("net.ipv4.conf.all.src_valid_mark"));
        });

        Assert.Equal(("1", "1", ReversePathFilter.Loose, "1"), (forwarding, forwarding6, rpFilter, validMark));
        Assert.Contains("net.ipv4.conf.v/5.rp_filter = 2", Sysctlctl(ns, "net.ipv4.conf.v/5.rp_filter"), StringComparison.Ordinal);
        Assert.Equal(hostForwarding, Sysctl.Read("net.ipv4.ip_forward"));
    }

    [Fact]
    public void Refusals_name_the_key_and_carry_errno()
    {
        using var ns = TestNamespace.Create();
        var (badValue, noLink) = NetNamespace.Run(ns.Path, () => (
            Assert.Throws<LinuxException>(() => Sysctl.Write("net.ipv4.conf.all.rp_filter", "strict")),
            Assert.Throws<LinuxException>(() => Sysctl.SetReversePathFilter("nope0", ReversePathFilter.Strict))));

        Assert.Equal(Errno.EINVAL, badValue.Errno);
        Assert.Contains("net.ipv4.conf.all.rp_filter=strict", badValue.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.ENOENT, noLink.Errno);
        Assert.Contains("net/ipv4/conf/nope0/rp_filter", noLink.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kernel.hostname")]
    [InlineData("net")]
    [InlineData("net..ipv4")]
    [InlineData("net/../kernel/hostname")]
    [InlineData("net.ipv4/../../kernel")]
    [InlineData("/proc/sys/net/ipv4/ip_forward")]
    public void Keys_outside_net_are_refused_before_any_file_is_touched(string key) =>
        Assert.Throws<ArgumentException>(() => Sysctl.PathOf(key));

    [Fact]
    public void Dotted_and_slashed_keys_map_to_proc_sys()
    {
        Assert.Equal("/proc/sys/net/ipv4/ip_forward", Sysctl.PathOf("net.ipv4.ip_forward"));
        Assert.Equal("/proc/sys/net/ipv4/conf/eth0.100/rp_filter", Sysctl.PathOf("net/ipv4/conf/eth0.100/rp_filter"));
    }

    /// <summary>sysctl(8) inside the namespace, as an independent reader.</summary>
    private static string Sysctlctl(TestNamespace ns, string key)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ip") { RedirectStandardOutput = true };
        foreach (var arg in new[] { "netns", "exec", ns.Name, "sysctl", key })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
