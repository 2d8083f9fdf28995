using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Steer.Bench.Connect;

/// <summary>
/// One <c>worker loop</c> kept alive for the whole benchmark — plainly, or as the command of a
/// <c>steer run</c> — answering one round at a time. Long-lived workers keep process start-up
/// out of the figures, and let rounds of the two variants alternate every few tens of
/// milliseconds.
/// </summary>
internal sealed class WorkerSession : IDisposable
{
    private static readonly TimeSpan RoundLimit = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private WorkerSession(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_stderr)
                    _stderr.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>The worker's process (for the host-wide variant, which moves it into a cgroup).</summary>
    public int Pid => _process.Id;

    /// <summary>Starts <paramref name="argv"/> (ending in <c>worker loop</c>) inside the namespace.</summary>
    public static WorkerSession Start(string name, string nsPath, IReadOnlyList<string> argv) =>
        new(name, NamespaceSpawn.Start(nsPath, NamespaceSpawn.StartInfo(argv, redirectAll: true)));

    /// <summary>Runs one round.</summary>
    public Round Measure(Probe probe)
    {
        try
        {
            _process.StandardInput.WriteLine(probe.RequestLine);
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            throw Failure($"ended (exit code {(_process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown")}) before '{probe.RequestLine}'");
        }
        var read = _process.StandardOutput.ReadLineAsync();
        if (!read.Wait(RoundLimit))
            throw Failure($"no answer to '{probe.RequestLine}' within {RoundLimit.TotalSeconds:0} s");
        var line = read.Result ?? throw Failure($"ended before answering '{probe.RequestLine}'");
        return Round.TryParse(line) is { } round
            ? round
            : throw Failure(line.StartsWith("error ", StringComparison.Ordinal) ? line["error ".Length..] : $"unexpected answer '{line}'");
    }

    private BenchException Failure(string what)
    {
        string stderr;
        lock (_stderr)
            stderr = _stderr.ToString().Trim();
        return new BenchException($"{Name} worker: {what}{(stderr.Length > 0 ? "\n" + stderr : "")}");
    }

    /// <summary>Ends the loop with end of input, so a steer around it cleans up as it would for any
    /// command that exits; kills the tree only when that does not happen in time.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
