using System.Diagnostics;
using System.Text;

namespace Steer.Lab;

/// <summary>A command started inside a lab namespace and left running. Its output is collected as
/// it comes; disposing kills it with its children.</summary>
public sealed class LabProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private LabProcess(Process process) => _process = process;

    internal static LabProcess Start(IReadOnlyList<string> argv)
    {
        var process = new Process { StartInfo = Runner.StartInfo(argv), EnableRaisingEvents = true };
        var handle = new LabProcess(process);
        process.OutputDataReceived += (_, e) => handle.Append(handle._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => handle.Append(handle._stderr, e.Data);
        process.Start();
        handle.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return handle;
    }

    private int? _exitCodeAfterDispose;
    private bool _disposed;

    public int Pid { get; private set; }
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>The exit code; after dispose, -1 when the process had to be killed and never reported one.</summary>
    public int ExitCode => _disposed ? _exitCodeAfterDispose ?? -1 : _process.ExitCode;

    /// <summary>Standard output so far.</summary>
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    /// <summary>Standard error so far.</summary>
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Writes to the command's stdin.</summary>
    public async Task WriteAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes the command's stdin (it reads end of file).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits until stdout contains <paramref name="text"/> (a readiness line, say).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited && !Stdout.Contains(text, StringComparison.Ordinal))
                throw new TimeoutException($"'{text}' not seen in output of pid {Pid}\nstdout: {Stdout}\nstderr: {Stderr}");
            await Task.Delay(10);
        }
    }

    /// <summary>Waits for the command to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the command and its children.</summary>
    public void Kill() => Runner.Kill(_process);

    public void Dispose()
    {
        if (_disposed)
            return;
        Kill();
        if (_process.WaitForExit(2000))
            _exitCodeAfterDispose = _process.ExitCode;
        _disposed = true;
        _process.Dispose();
    }

    private void Append(StringBuilder to, string? line)
    {
        if (line is null)
            return;
        lock (to)
            to.Append(line).Append('\n');
    }
}
