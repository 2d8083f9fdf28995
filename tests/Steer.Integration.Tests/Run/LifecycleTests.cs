using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

public sealed class LifecycleTests(RunLabFixture fixture) : IClassFixture<RunLabFixture>
{
    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 7", 7)]
    [InlineData("kill -TERM $$", 128 + 15)]
    public async Task The_exit_code_is_the_commands(string script, int expected)
    {
        TwoUplinks.SkipUnlessSupported();
        var result = await fixture.Lab!["host"].ExecAsync(SteerBinary.Run("up2", "bash", "-c", script));
        Assert.Equal(expected, result.ExitCode);
        SteerBinary.AssertNothingLeftBehind();
    }

    [Fact]
    public async Task A_missing_command_exits_127()
    {
        TwoUplinks.SkipUnlessSupported();
        var result = await fixture.Lab!["host"].ExecAsync(SteerBinary.Run("up2", "/nonexistent/program"));
        Assert.Equal(127, result.ExitCode);
        SteerBinary.AssertNothingLeftBehind();
    }

    [Fact]
    public async Task Sigterm_to_steer_reaches_the_command_and_everything_is_removed()
    {
        TwoUplinks.SkipUnlessSupported();
        var marker = Path.Combine(Path.GetTempPath(), $"steer-term-{Guid.NewGuid():N}");
        var process = fixture.Lab!["host"].Start(SteerBinary.Run("up2", "bash", "-c", $"trap 'echo got > {marker}; exit 3' TERM; sleep 30 & wait"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Directory.Exists($"/run/steer/bpf/run-{process.Pid}") && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await Task.Delay(200);
        _ = Steer.Linux.Native.Libc.kill(process.Pid, 15);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        try
        {
            Assert.Equal(3, exit);
            Assert.True(File.Exists(marker));
            Assert.False(Directory.Exists($"/run/steer/bpf/run-{process.Pid}"));
            SteerBinary.AssertNothingLeftBehind();
        }
        finally
        {
            File.Delete(marker);
        }
    }
}
