using System.Net;
using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Xunit;

namespace Steer.Integration.Tests.Run;

/// <remarks>Runs alone: killing steer leaves its pins on purpose until a later run sweeps them,
/// and other tests' leak checks (which run in parallel otherwise) would see them meanwhile.</remarks>
[Collection(nameof(KillsSteer))]
public sealed partial class InteractiveAndCrashTests(RunLabFixture fixture) : IClassFixture<RunLabFixture>
{
    /// <summary>What a terminal session adds around the text: CSI sequences (bracketed paste) and CRs.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\r")]
    private static partial System.Text.RegularExpressions.Regex TerminalControl();

    /// <summary>`steer run --via up2 -- bash -i` on a terminal: job control works, commands typed
    /// into the shell are steered, and `exit N` is Steer's exit code.</summary>
    [Fact]
    public async Task An_interactive_shell_on_a_terminal_is_steered()
    {
        TwoUplinks.SkipUnlessSupported();
        var client = string.Join(' ', Clients.TcpCommand(TwoUplinks.Service4, RunLabFixture.Port).Select(a => $"'{a}'"));
        var steer = string.Join(' ', SteerBinary.Run("up2", "bash", "--norc", "-i").Select(a => $"'{a}'"));
        // script(1) gives the shell a pseudo-terminal, as a user's terminal would.
        var typed = $"{client}\nsleep 0.1 & wait\nexit 5\n";
        var result = await fixture.Lab!["host"].ExecAsync(new ExecOptions(Input: typed, Timeout: TimeSpan.FromSeconds(20)),
            "script", "-q", "-e", "-c", steer, "/dev/null");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal(IPAddress.Parse(TwoUplinks.SourceVia("up2", ipv6: false)), EchoReply.Parse(TerminalControl().Replace(result.Stdout, "")).Address);
        SteerBinary.AssertNothingLeftBehind();
    }

    /// <summary>Steer killed with SIGKILL cannot clean up: the program keeps running bound (fail
    /// closed, its programs are pinned), and once it has ended, the next `steer run` removes what
    /// the dead run left.</summary>
    [Fact]
    public async Task After_steer_is_killed_the_program_stays_bound_and_a_later_run_cleans_up()
    {
        TwoUplinks.SkipUnlessSupported();
        var host = fixture.Lab!["host"];
        var signal = Path.Combine(Path.GetTempPath(), $"steer-crash-{Guid.NewGuid():N}");
        var output = signal + ".out";
        var client = string.Join(' ', Clients.TcpCommand(TwoUplinks.Service4, RunLabFixture.Port).Select(a => $"'{a}'"));
        using var steer = host.Start(SteerBinary.Run("up2", "bash", "-c",
            $"touch {output}.started; while [ ! -e {signal} ]; do sleep 0.05; done; {client} > {output}; echo done >> {output}"));
        var pins = $"/run/steer/bpf/run-{steer.Pid}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(output + ".started") && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(Directory.Exists(pins), "the run never attached");

        _ = Steer.Linux.Native.Libc.kill(steer.Pid, 9);
        while (!steer.HasExited && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await File.WriteAllTextAsync(signal, "");
        while (!(File.Exists(output) && (await File.ReadAllTextAsync(output)).Contains("done", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        // The orphaned program still left through up2: its sockets are bound by the pinned programs.
        Assert.Equal(IPAddress.Parse(TwoUplinks.SourceVia("up2", ipv6: false)), EchoReply.Parse(await File.ReadAllTextAsync(output)).Address);
        Assert.True(Directory.Exists(pins), "the dead run's pins must survive until its program has ended");

        (await host.ExecAsync(SteerBinary.Run("up1", "true"))).EnsureSuccess();
        Assert.False(Directory.Exists(pins), "the next run should have swept the dead run's pins");
        SteerBinary.AssertNothingLeftBehind();
        foreach (var file in new[] { signal, output, output + ".started" })
            File.Delete(file);
    }
}

[CollectionDefinition(nameof(KillsSteer), DisableParallelization = true)]
public sealed class KillsSteer;
