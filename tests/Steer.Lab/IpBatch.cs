namespace Steer.Lab;

/// <summary>Applies many <c>ip</c> commands with one process (<c>ip -batch -</c>): a lab is built
/// with a handful of process starts rather than one per address or route.</summary>
internal static class IpBatch
{
    /// <summary>Runs <paramref name="lines"/> (each an <c>ip</c> command without the leading
    /// <c>ip</c>) inside <paramref name="ns"/>, or in the namespace of the caller when null.</summary>
    public static async Task RunAsync(string? ns, IReadOnlyCollection<string> lines, bool ipv6 = false, bool force = false)
    {
        if (lines.Count == 0)
            return;
        var argv = new List<string> { "ip" };
        if (ipv6) argv.Add("-6");
        if (ns is not null) argv.AddRange(["-n", ns]);
        if (force) argv.Add("-force");
        argv.AddRange(["-batch", "-"]);
        var result = await Runner.RunAsync(argv, new ExecOptions(string.Join('\n', lines) + "\n"));
        // ip names the failing line ("Command failed -:3"); print the batch so the number means something.
        if (!result.Succeeded && !force)
            throw new LabException($"{string.Join(' ', argv)} failed:\n{result.Stderr}\nbatch:\n" +
                                   string.Join('\n', lines.Select((l, i) => $"{i + 1,3}: {l}")));
    }
}
