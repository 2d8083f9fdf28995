using System.CommandLine;
using Steer.Cli.Run;

namespace Steer.Cli.Commands;

/// <summary><c>steer unbind --cgroup PATH</c>: undoes <c>steer run --via IFACE --cgroup PATH</c>.</summary>
internal static class UnbindCommand
{
    public static Command Create()
    {
        var cgroup = new Option<string>("--cgroup") { Description = "The cgroup that `steer run --cgroup` bound.", Required = true, HelpName = "PATH" };
        var unbind = new Command("unbind", """
            Remove the binding that `steer run --via IFACE --cgroup PATH` put on a cgroup.

            Example:
              steer unbind --cgroup /sys/fs/cgroup/system.slice/torrent.service
            """)
        { cgroup };
        unbind.SetAction(result => CommandErrors.Run(() => CgroupBinder.Unbind(result.GetValue(cgroup)!, Console.Out)));
        return unbind;
    }
}
