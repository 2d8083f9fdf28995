using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Xunit;

namespace Steer.Linux.Tests.Netlink;

/// <summary>NetNamespace.Create/Delete against the real kernel, checked with ip netns and mountinfo.</summary>
public sealed class NetNamespaceLifecycleTests
{
    private static int _counter;

    private static string UniqueName() => $"stns-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";

    [Fact]
    public void Create_makes_a_fresh_namespace_ip_netns_sees_and_Delete_leaves_nothing_behind()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root to create network namespaces");
        var name = UniqueName();
        var path = NetNamespace.Create(name);
        try
        {
            Assert.Equal(NetNamespace.PathOf(name), path);
            Assert.Contains(name, IpNetnsList());
            Assert.Contains(path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
            using var handle = NetlinkHandle.OpenAt(path);
            var only = Assert.Single(handle.ListLinks());
            Assert.Equal("lo", only.Name);
            Assert.False(only.IsUp);
            Assert.NotEqual(NamespaceId("/proc/thread-self/ns/net"), NamespaceId(path));
            // The creating thread is gone; this thread is still in its own namespace.
            Assert.NotNull(NetlinkHandle.Open().GetLink("lo"));
        }
        finally
        {
            NetNamespace.Delete(name);
        }
        Assert.False(File.Exists(path));
        Assert.DoesNotContain(name, IpNetnsList());
        Assert.DoesNotContain(path + " ", File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
    }

    [Fact]
    public void Creating_a_taken_name_fails_with_EEXIST_and_keeps_the_existing_namespace()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root to create network namespaces");
        var name = UniqueName();
        var path = NetNamespace.Create(name);
        try
        {
            using (var handle = NetlinkHandle.OpenAt(path))
                handle.SetLinkUp("lo");
            var e = Assert.Throws<LinuxException>(() => NetNamespace.Create(name));
            Assert.Equal(Errno.EEXIST, e.Errno);
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
            using var again = NetlinkHandle.OpenAt(path);
            Assert.True(again.GetLink("lo")!.IsUp); // the same namespace, not a new one
        }
        finally
        {
            NetNamespace.Delete(name);
        }
    }

    [Fact]
    public void Deleting_a_missing_name_fails_with_ENOENT_and_bad_names_are_refused()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root to create network namespaces");
        var e = Assert.Throws<LinuxException>(() => NetNamespace.Delete(UniqueName()));
        Assert.Equal(Errno.ENOENT, e.Errno);
        foreach (var bad in new[] { "", ".", "..", "a/b", "../../etc" })
        {
            Assert.Throws<ArgumentException>(() => NetNamespace.Create(bad));
            Assert.Throws<ArgumentException>(() => NetNamespace.Delete(bad));
        }
    }

    [Fact]
    public void A_namespace_made_by_ip_netns_add_is_deleted_by_Delete()
    {
        var ns = TestNamespace.Create();
        NetNamespace.Delete(ns.Name);
        Assert.False(File.Exists(ns.Path));
        Assert.DoesNotContain(ns.Name, IpNetnsList());
        ns.Dispose(); // already gone: a no-op
    }

    private static string IpNetnsList()
    {
        var start = new System.Diagnostics.ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true };
        using var ip = System.Diagnostics.Process.Start(start)!;
        var output = ip.StandardOutput.ReadToEnd();
        ip.WaitForExit();
        return output;
    }

    private static unsafe ulong NamespaceId(string path)
    {
        byte* stat = stackalloc byte[144];
        LinuxException.ThrowIfNegative(Libc.stat(path, stat), $"stat {path}");
        return *(ulong*)(stat + 8); // st_ino on 64-bit Linux
    }
}
