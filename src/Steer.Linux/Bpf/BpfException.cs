namespace Steer.Linux.Bpf;

/// <summary>
/// A BPF object could not be opened, loaded or attached. For a verifier rejection the message
/// ends with the last lines of the verifier log; <see cref="Log"/> holds everything libbpf said.
/// </summary>
public sealed class BpfException : Exception
{
    public int Errno { get; }
    public string Log { get; }

    public BpfException(string what, int errno, string log)
        : base(Compose(what, errno, log))
    {
        Errno = errno;
        Log = log;
    }

    private static string Compose(string what, int errno, string log)
    {
        var message = errno != 0 ? $"{what}: {Native.Errno.Describe(errno)} (errno {errno})" : what;
        var tail = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("libbpf: prog", StringComparison.Ordinal) || l.Contains("failed", StringComparison.Ordinal))
            .TakeLast(8);
        var lines = string.Join(Environment.NewLine + "  ", tail);
        return lines.Length == 0 ? message : $"{message}{Environment.NewLine}  {lines}";
    }
}
