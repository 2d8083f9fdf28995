using Steer.Daemon;

namespace Steer.Cli.Rules;

/// <summary>Tells a running daemon that the rule file changed.</summary>
internal static class DaemonReload
{
    /// <summary>Text to append to the command's message: what the daemon said, or nothing.</summary>
    public static string Notify()
    {
        var response = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest("reload"), TimeSpan.FromSeconds(10));
        return response switch
        {
            null => "",
            { Ok: true } => $"; the daemon has it ({response.Message})",
            _ => $"; the daemon refused it, its rules stay as they were:\n{response.Error}",
        };
    }

    /// <summary>After a rule with conditions was stored: the running daemon's warnings on stderr
    /// (such rules and no proxy to honour them); with no daemon, a note saying what such a rule
    /// needs, since which steer.yaml the next `steer start` reads is not known yet (it warns then).</summary>
    public static void PrintWarnings()
    {
        var response = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest("status"), TimeSpan.FromSeconds(10));
        if (response is null)
        {
            Console.Error.WriteLine("steer: note: no daemon runs; a rule with port, protocol or source conditions applies to proxied flows only: " +
                                    "start the daemon with a steer.yaml that has a proxy: section (docs/rules.md)");
            return;
        }
        foreach (var warning in response.Status?.Warnings ?? [])
            Console.Error.WriteLine($"steer: warning: {warning}");
    }
}
