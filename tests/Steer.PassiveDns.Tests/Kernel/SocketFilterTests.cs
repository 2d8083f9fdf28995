using Steer.Linux.Bpf;
using Steer.Linux.Native;
using Steer.Linux.Probes;

namespace Steer.PassiveDns.Tests.Kernel;

public class SocketFilterTests
{
    [Fact]
    public void This_kernel_has_what_passive_DNS_needs()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        Assert.All(KernelFeatures.ForPassiveDns, feature => Assert.True(KernelFeatures.IsAvailable(feature), feature.ToString()));
    }

    [Fact]
    public void Attaching_a_filter_to_something_that_is_not_a_socket_says_so()
    {
        if (Steer.Lab.Lab.SkipReason is { } reason)
            Assert.Skip(reason);
        using var program = BpfObject.OpenEmbedded("steer_dns_sniff");
        program.Load();
        using var notASocket = File.OpenHandle("/dev/null");
        var e = Assert.Throws<LinuxException>(() => program.AttachSocketFilter("steer_dns_sniff", notASocket));
        Assert.Equal(88, e.Errno); // ENOTSOCK
        Assert.Contains("SO_ATTACH_BPF", e.Message);
        Assert.Throws<InvalidOperationException>(() => program.AttachSocketFilter("no_such_program", notASocket));
    }
}
