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
        // The verifier's verdict is at the end of its log, just before libbpf's closing lines.
        var tail = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("-- END PROG LOAD LOG --", StringComparison.Ordinal) && !l.Contains("failed to load object", StringComparison.Ordinal))
            .TakeLast(10);
        var lines = string.Join(Environment.NewLine + "  ", tail);
        return lines.Length == 0 ? message : $"{message}{Environment.NewLine}  {lines}";
    }
}
