namespace Steer.Lab;

/// <summary>What a command run by the lab did: its exit code and everything it printed.</summary>
public sealed record ExecResult(IReadOnlyList<string> Argv, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Returns this result, or throws with the command and both outputs when it failed.</summary>
    public ExecResult EnsureSuccess() =>
        Succeeded ? this : throw new LabException($"`{string.Join(' ', Argv)}` exited with {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");

    public override string ToString() => $"`{string.Join(' ', Argv)}` → {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Options of one command run: text fed to its stdin (then closed) and a time limit.</summary>
public sealed record ExecOptions(string? Input = null, TimeSpan? Timeout = null)
{
    /// <summary>Commands run without a timeout of their own are killed after this long.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60); // generous: a loaded 2-core machine is slow, not hung
}

/// <summary>A lab setup or helper command failed.</summary>
public sealed class LabException : Exception
{
    public LabException(string message) : base(message) { }
    public LabException(string message, Exception inner) : base(message, inner) { }
}
