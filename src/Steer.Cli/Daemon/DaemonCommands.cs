using System.CommandLine;
using System.Text.Json;
using Steer.Cli.Commands;
using Steer.Cli.Run;
using Steer.Daemon;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Steer.Linux.Processes;
using Steer.Linux.SocketPlane;
using Steer.Policy.Configuration;

namespace Steer.Cli.Daemon;

/// <summary><c>steer start|stop|status|decision</c>, and the hidden <c>steer daemon</c> they run.</summary>
internal static class DaemonCommands
{
    public static IEnumerable<Command> Create() => [Start(), Apply(), Stop(), Status(), DecisionCommand.Create(), DaemonProcess()];

    private static Command Apply()
    {
        var config = new Option<FileInfo?>("--config", "-c") { Description = "The steer.yaml to use from now on (default: the one the daemon was started with, re-read).", HelpName = "FILE" };
        var apply = new Command("apply", """
            Give the running daemon a new configuration, all or nothing.

            The file is checked here first, then by the daemon; on any error (file:line) nothing
            changes. Rules take effect at once.

            Examples:
              steer apply
              steer apply -c /etc/steer/steer.yaml
            """) { config };
        apply.SetAction(result => CommandErrors.Run(() =>
        {
            var file = result.GetValue(config);
            if (file is not null && ConfigLoader.Load(File.ReadAllText(file.FullName), file.FullName) is { Succeeded: false } failed)
                throw new UsageException($"nothing applied:\n{string.Join('\n', failed.Errors)}");
            var response = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest("apply", Config: file?.FullName))
                ?? throw new InvalidOperationException("the daemon is not running (steer start)");
            if (!response.Ok)
                throw new UsageException(response.Error ?? "refused");
            Console.WriteLine($"steer: {response.Message}");
            return 0;
        }));
        return apply;
    }

    private static Command Start()
    {
        var config = new Option<FileInfo?>("--config", "-c") { Description = "steer.yaml: rules (and, as the planes land, uplinks, dns, proxy).", HelpName = "FILE" };
        var cgroup = new Option<string?>("--cgroup") { Description = "Attach the host-wide programs to this cgroup instead of the root cgroup (a container, a test).", HelpName = "PATH" };
        var dnsListen = new Option<string?>("--dns-listen") { Description = "Run Steer's resolver here, UDP and TCP (default with --upstream: 127.0.0.53:53).", HelpName = "ADDR[:PORT]" };
        var upstream = new Option<string[]>("--upstream") { Description = "An upstream resolver; IFACE= tags it: asked, over IFACE, for names whose rule says via IFACE. Repeatable. Without an untagged one: this host's resolv.conf servers (as they were before --take-over-dns).", HelpName = "[IFACE=]ADDR[:PORT]" };
        var takeOver = new Option<bool>("--take-over-dns") { Description = "Point this host's resolv.conf at Steer's resolver; stop restores exactly what was there." };
        var start = new Command("start", """
            Start Steer's daemon — host-wide rules, resolver, uplinks, proxy, as configured — and return once it is ready.

            The daemon attaches the host-wide socket programs (to the root cgroup, or to --cgroup),
            learns from the DNS answers seen on this host's interfaces, and writes the addresses of
            every name a rule sends through an interface into the kernel's decision map: a socket
            connecting to such an address is bound to that interface before its first packet. Rules
            come from `steer rule` and from steer.yaml. If the daemon dies, the kernel keeps the
            decisions it has (fail closed); the next `steer start` adopts them.

            Examples:
              steer rule add example.com wg0 && steer start
              steer start -c /etc/steer/steer.yaml
              steer start --dns-listen 127.0.0.53 --upstream 192.0.2.53 --upstream wg0=10.64.0.1 --take-over-dns
              steer status --json
              steer stop
            """) { config, cgroup, dnsListen, upstream, takeOver };
        start.SetAction(result => CommandErrors.Run(() =>
        {
            var paths = DaemonPaths.FromEnvironment();
            if (ControlClient.TrySend(paths, new ControlRequest("status")) is { Status: { } running })
                throw new InvalidOperationException($"the daemon is already running (pid {running.Pid}); `steer stop` first");
            var configFile = result.GetValue(config);
            if (configFile is not null)
            {
                var loaded = ConfigLoader.Load(File.ReadAllText(configFile.FullName), configFile.FullName);
                if (!loaded.Succeeded)
                    throw new UsageException(string.Join('\n', loaded.Errors));
            }
            Directory.CreateDirectory(paths.RunDirectory);
            List<string> command = [Environment.ProcessPath!, "daemon"];
            if (configFile is not null)
                command.AddRange(["--config", configFile.FullName]);
            if (result.GetValue(cgroup) is { } path)
                command.AddRange(["--cgroup", path]);
            // Checked here, so a bad flag is a usage error before anything starts.
            DnsFlags.Parse(result.GetValue(dnsListen), result.GetValue(upstream) ?? [], paths.ResolvConf, paths.StateDirectory);
            if (result.GetValue(dnsListen) is { } listenAt)
                command.AddRange(["--dns-listen", listenAt]);
            foreach (var u in result.GetValue(upstream) ?? [])
                command.AddRange(["--upstream", u]);
            if (result.GetValue(takeOver))
                command.Add("--take-over-dns");
            var daemon = SpawnedProcess.StartDetached(command, paths.Log);
            // It exits early if the daemon dies; a million rules on a busy machine take a while.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (daemon.Exited.IsCompleted)
                    throw new InvalidOperationException($"the daemon exited with {daemon.Exited.Result}:\n{Tail(paths.Log)}");
                if (ControlClient.TrySend(paths, new ControlRequest("status")) is { Status: { } status })
                {
                    Console.WriteLine($"steer: daemon running (pid {status.Pid}): {status.Rules} rules, host plane on {status.AttachedTo}");
                    foreach (var warning in status.Warnings ?? [])
                        Console.Error.WriteLine($"steer: warning: {warning}");
                    return 0;
                }
                Thread.Sleep(20);
            }
            daemon.Signal(Steer.Linux.Native.Libc.SIGTERM);
            throw new InvalidOperationException($"the daemon did not become ready within 60 s:\n{Tail(paths.Log)}");
        }));
        return start;
    }

    private static Command Stop()
    {
        var stop = new Command("stop", """
            Stop the daemon and remove everything of Steer's it made: programs, pins, decisions.

            Works after a crash too: with no daemon running, it removes what a dead one left.
            """);
        stop.SetAction(_ => CommandErrors.Run(() =>
        {
            var paths = DaemonPaths.FromEnvironment();
            var status = ControlClient.TrySend(paths, new ControlRequest("status"))?.Status;
            if (status is not null)
            {
                ControlClient.TrySend(paths, new ControlRequest("stop"));
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (Directory.Exists($"/proc/{status.Pid}") && DateTime.UtcNow < deadline)
                    Thread.Sleep(20);
            }
            // Whatever a daemon that died left: its pins (the decisions stay enforced until now).
            HostBinding.RemoveAll(paths.HostPins);
            if (status is null)
                Steer.Daemon.Planes.RoutesDaemonPlane.RemoveLeftovers(paths, Console.Out);
            File.Delete(paths.Socket);
            var daemonCgroup = new Cgroup(Path.Combine(SteerMounts.CgroupRoot(), "steer", "daemon"));
            if (daemonCgroup.Exists && daemonCgroup.TryRemove(TimeSpan.FromSeconds(2)))
                daemonCgroup.TryRemoveParentIfEmpty();
            Console.WriteLine(status is null ? "steer: no daemon was running; nothing of Steer's is left" : $"steer: daemon {status.Pid} stopped; nothing of Steer's is left");
            return 0;
        }));
        return stop;
    }

    private static Command Status()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON; its top-level pid is the daemon's process id." };
        var status = new Command("status", "Say whether the daemon runs, and what it enforces.") { json };
        status.SetAction(result => CommandErrors.Run(() =>
        {
            var paths = DaemonPaths.FromEnvironment();
            var running = ControlClient.TrySend(paths, new ControlRequest("status"))?.Status;
            if (result.GetValue(json))
            {
                Console.WriteLine(running is null ? "{\"running\": false}" : JsonSerializer.Serialize(running, DaemonJson.Default.DaemonStatus));
                return running is null ? 3 : 0;
            }
            if (running is null)
            {
                Console.WriteLine("steer: the daemon is not running (steer start)");
                return 3;
            }
            Console.WriteLine($"daemon    running, pid {running.Pid}, up {TimeSpan.FromSeconds(Math.Round(running.UptimeSeconds))}");
            Console.WriteLine($"config    {running.Config ?? "(none: rules from steer rule only)"}");
            Console.WriteLine($"attached  host-wide socket programs on {running.AttachedTo}");
            Console.WriteLine($"rules     {running.Rules}");
            Console.WriteLine($"resolver  {(running.Resolver is { } at ? $"{at} (UDP and TCP), {running.Queries} queries" : "not running (--dns-listen, or dns: in steer.yaml)")}");
            Console.WriteLine($"decisions {running.Decisions} in the kernel, room for {running.DecisionCapacity:N0} per address family ({running.DecisionsWritten} written from {running.AnswersSeen} DNS answers seen)");
            foreach (var plane in running.Planes ?? [])
                Console.WriteLine($"{plane.Name,-9} {plane.Summary}");
            foreach (var warning in running.Warnings ?? [])
                Console.WriteLine($"warning   {warning}");
            return 0;
        }));
        return status;
    }

    private static Command DaemonProcess()
    {
        var config = new Option<string?>("--config");
        var cgroup = new Option<string?>("--cgroup");
        var dnsListen = new Option<string?>("--dns-listen");
        var upstream = new Option<string[]>("--upstream");
        var takeOver = new Option<bool>("--take-over-dns");
        var daemon = new Command("daemon", "The daemon process itself; `steer start` runs it.") { config, cgroup, dnsListen, upstream, takeOver };
        daemon.Hidden = true;
        daemon.SetAction(result => CommandErrors.Run(() =>
        {
            var paths = DaemonPaths.FromEnvironment();
            var dns = DnsFlags.Parse(result.GetValue(dnsListen), result.GetValue(upstream) ?? [], paths.ResolvConf, paths.StateDirectory);
            using var host = new DaemonHost(new DaemonOptions(result.GetValue(config), result.GetValue(cgroup), dns, result.GetValue(takeOver)), paths, Console.Out);
            return host.Run();
        }));
        return daemon;
    }

    private static string Tail(string log) =>
        File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(12)) : "(no log)";
}


[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(DaemonStatus))]
internal sealed partial class DaemonJson : System.Text.Json.Serialization.JsonSerializerContext;
