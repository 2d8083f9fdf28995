using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

/// <summary>A program inside `steer run` cannot move its sockets to another interface: not as an
/// unprivileged user (the kernel wants CAP_NET_RAW), and not as root (Steer's setsockopt hook).</summary>
public sealed class NoEscapeTests(RunLabFixture fixture) : IClassFixture<RunLabFixture>
{
    [Theory]
    [InlineData("root", "tcp")]
    [InlineData("root", "udp")]
    [InlineData("nobody", "tcp")]
    [InlineData("nobody", "udp")]
    public async Task Binding_a_socket_to_another_interface_is_refused(string user, string protocol)
    {
        TwoUplinks.SkipUnlessSupported();
        var host = fixture.Lab!["host"];
        var leaks = host.CountPackets($"oifname \"up1\" ip daddr {TwoUplinks.Service4}");
        string[] client = protocol == "tcp"
            ? Clients.TcpCommand(TwoUplinks.Service4, RunLabFixture.Port, device: "up1")
            : Clients.UdpConnectedCommand(TwoUplinks.Service4, RunLabFixture.Port, device: "up1");
        string[] asUser = user == "root" ? client : ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", .. client];

        var result = await host.ExecAsync(SteerBinary.Run("up2", asUser));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Operation not permitted", result.Stderr, StringComparison.Ordinal); // socat names setsockopt's EPERM
        Assert.Equal(0, leaks.Read());
        SteerBinary.AssertNothingLeftBehind();
    }
}
