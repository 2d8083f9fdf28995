using System.CommandLine;
using Steer.Cli.Run;
using Steer.Policy;

namespace Steer.Cli.Commands;

/// <summary><c>steer run</c>: one program tree, one interface, enforced in the kernel.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var via = new Option<string>("--via") { Description = "The interface every socket of CMD and its children must use.", Required = true, HelpName = "IFACE" };
        var exclude = new Option<string[]>("--exclude") { Description = "Destinations that follow the normal routing table instead (CIDRs, IPv4 or IPv6; repeat or separate with commas). Loopback is always excluded.", HelpName = "CIDR[,CIDR...]", AllowMultipleArgumentsPerToken = false };
        var excludeFile = new Option<FileInfo?>("--exclude-file") { Description = "More exclusions, one CIDR per line (# comments allowed).", HelpName = "FILE" };
        var dns = new Option<string?>("--dns") { Description = "Send every port-53 query (UDP and TCP) of CMD to this resolver instead; it is reached through IFACE unless excluded.", HelpName = "IP[:PORT]" };
        var cgroup = new Option<string?>("--cgroup") { Description = "Bind an existing cgroup (a service's, say) instead of starting CMD; it stays bound until `steer unbind --cgroup PATH`.", HelpName = "PATH" };
        var command = new Argument<string[]>("CMD") { Description = "The program to run, with its arguments (after --).", Arity = ArgumentArity.ZeroOrMore };

        var run = new Command("run", """
            Run a program so that it and all its children use only one interface.

            Every IPv4 and IPv6 TCP and UDP socket of the program tree is bound to IFACE by eBPF
            programs on a cgroup of its own: connect(), unconnected sendto(), static binaries,
            forks. If IFACE is down or disappears, connections fail (ENETUNREACH, ENODEV or
            EPERM); no packet takes another interface. Steer's exit code is CMD's.

            Examples:
              steer run --via wg0 -- curl https://example.com
              steer run --via wg0 --exclude 192.168.1.0/24,fd00::/8 -- firefox
              steer run --via eth1 --dns 10.64.0.1 -- bash
              steer run --via wg0 --cgroup /sys/fs/cgroup/system.slice/torrent.service
            """)
        { via, exclude, excludeFile, dns, cgroup, command };

        run.SetAction(result => CommandErrors.Run(() =>
        {
            var request = BuildRequest(result.GetValue(via)!, result.GetValue(exclude) ?? [], result.GetValue(excludeFile),
                result.GetValue(dns), result.GetValue(cgroup), result.GetValue(command) ?? []);
            
            foreach (var warning in request.Excluded.Warnings)
                Console.Error.WriteLine($"steer: warning: --exclude {warning}");
            return request.CgroupPath is null
                ? new RunSession(request, Console.Error).Run()
                : CgroupBinder.Bind(request, Console.Out);
        }));
        return run;
    }

    internal static RunRequest BuildRequest(string via, string[] excludes, FileInfo? excludeFile, string? dns, string? cgroupPath, string[] command)
    {
        if (cgroupPath is null && command.Length == 0)
            throw new UsageException("no command: give one after --, e.g. steer run --via wg0 -- curl example.com (or --cgroup PATH)");
        if (cgroupPath is not null && command.Length > 0)
            throw new UsageException("--cgroup binds an existing cgroup: give either --cgroup PATH or a command, not both");

        var excluded = RunDefaults.AlwaysExcluded;
        try
        {
            if (excludes.Length > 0)
                excluded = excluded.Union(CidrList.Parse(excludes));
            if (excludeFile is not null)
            {
                using var reader = excludeFile.OpenText();
                excluded = excluded.Union(CidrList.ParseFile(excludeFile.FullName, reader));
            }
        }
        catch (FormatException e)
        {
            throw new UsageException($"--exclude: {e.Message}");
        }
        catch (IOException e)
        {
            throw new UsageException($"--exclude-file: {e.Message}");
        }
        return new RunRequest(via, excluded, dns is null ? null : DnsEndpoint.Parse(dns), command, cgroupPath);
    }
}
