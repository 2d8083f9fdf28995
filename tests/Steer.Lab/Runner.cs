using System.Diagnostics;

namespace Steer.Lab;

/// <summary>Runs a command to completion: argv passed as is (no shell), stdin fed then closed,
/// killed with its whole tree when the time limit passes.</summary>
internal static class Runner
{
    public static async Task<ExecResult> RunAsync(IReadOnlyList<string> argv, ExecOptions? options = null)
    {
        options ??= new ExecOptions();
        using var process = new Process { StartInfo = StartInfo(argv) };
        process.Start();
        // Read both pipes concurrently from the start: a chatty command must never block on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (options.Input is not null)
                await process.StandardInput.WriteAsync(options.Input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command exited without reading its input; its exit code tells the story.
        }

        var timeout = options.Timeout ?? ExecOptions.DefaultTimeout;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync();
            throw new TimeoutException($"`{string.Join(' ', argv)}` did not finish within {timeout.TotalSeconds:0.#} s\n" +
                                       $"stdout: {await stdout}\nstderr: {await stderr}");
        }
        return new ExecResult(argv, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Blocking form; runs on the thread pool so a caller's synchronization context cannot deadlock it.</summary>
    public static ExecResult Run(IReadOnlyList<string> argv, ExecOptions? options = null) =>
        Task.Run(() => RunAsync(argv, options)).GetAwaiter().GetResult();

    public static ProcessStartInfo StartInfo(IReadOnlyList<string> argv)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in argv.Skip(1))
            info.ArgumentList.Add(arg);
        return info;
    }

    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
