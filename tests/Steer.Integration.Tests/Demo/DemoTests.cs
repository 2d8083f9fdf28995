using Steer.Integration.Tests.LabTests;
using Steer.Integration.Tests.Run;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Demo;

/// <summary>`steer demo`, the README's first command, shows each flow on the uplink it was sent to.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_shows_each_flow_on_its_uplink_and_removes_its_lab()
    {
        TwoUplinks.SkipUnlessSupported();
        // The demo builds a lab and runs a dozen clients: minutes, not seconds, on a loaded machine.
        var result = (await Runner.RunAsync([SteerBinary.Path, "demo"], new ExecOptions { Timeout = TimeSpan.FromMinutes(3) })).EnsureSuccess();
        var rows = result.Stdout.Split('\n');

        string Row(string start) => rows.Single(r => r.TrimStart().StartsWith(start, StringComparison.Ordinal) && !r.Contains("refused", StringComparison.Ordinal));
        Assert.EndsWith("10.1.0.2    up1", Row("curl (TCP, IPv4), plainly").TrimEnd());
        Assert.EndsWith("10.1.0.2    up1", Row("steer run --via up1 -- curl (TCP, IPv4)").TrimEnd());
        Assert.EndsWith("10.2.0.2    up2", Row("steer run --via up2 -- curl (TCP, IPv4)").TrimEnd());
        Assert.EndsWith("fd00:2::2   up2", Row("steer run --via up2 -- curl (TCP, IPv6)").TrimEnd());
        Assert.EndsWith("10.2.0.2    up2", Row("steer run --via up2 -- socat (unconnected UDP, IPv4)").TrimEnd());
        Assert.EndsWith("fd00:2::2   up2", Row("steer run --via up2 -- socat (unconnected UDP, IPv6)").TrimEnd());
        Assert.Contains(rows, r => r.Contains("refused (exit 7", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Network is unreachable", StringComparison.Ordinal));
        Assert.Contains("the server saw no flow at all", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("no run left a cgroup or pinned program behind", result.Stdout, StringComparison.Ordinal);

        Assert.Empty(Steer.Linux.Native.NetNamespace.OrphansOf("steer-demo-"));
        SteerBinary.AssertNothingLeftBehind();
    }
}
