using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Steer.Cli.Commands;
using Steer.Cli.Run;
using Steer.Linux.Mounts;
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Steer.Linux.Probes;
using Steer.Linux.Processes;

namespace Steer.Cli.Demo;

/// <summary><c>steer demo</c>: `steer run` shown on a throw-away lab, no second network needed.</summary>
internal static class DemoCommand
{
    private static readonly string Url4 = $"http://{DemoLab.Service4}:{DemoEcho.Port}/";
    private static readonly string Url6 = $"http://[{DemoLab.Service6}]:{DemoEcho.Port}/";

    public static Command Create()
    {
        var demo = new Command("demo", """
            Show `steer run` at work on a throw-away lab, then remove the lab.

            The lab is two network namespaces: this host's stand-in with two uplinks, up1 and up2,
            both leading to a server that answers every flow with the address it came from. The
            main routing table sends everything through up1. Programs (curl, socat) are run
            plainly and through `steer run --via up1|up2`, over TCP and UDP, IPv4 and IPv6, and
            the server's answer shows which uplink each flow really used. Last, up2 is taken down:
            a program bound to it fails instead of slipping out through up1.

            Needs root, curl and socat. Nothing outside the lab is touched.

            Example:
              sudo steer demo
            """);
        demo.SetAction(_ => CommandErrors.Run(Run));
        return demo;
    }

    private static int Run()
    {
        KernelFeatures.Require(KernelFeatures.ForRun);
        foreach (var tool in new[] { "curl", "socat" })
        {
            if (!IsOnPath(tool))
                throw new InvalidOperationException($"steer demo runs {tool}, which is not installed (apt-get install {tool})");
        }
        var steer = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell where the steer binary is");

        Console.WriteLine("steer demo: building a lab: host --up1--> server, host --up2--> server");
        Console.WriteLine("            (the host's main table routes everything through up1)");
        using var lab = DemoLab.Create();
        using var echo = DemoEcho.StartIn(lab.ServerPath);
        Console.WriteLine();
        Console.WriteLine($"  {"what ran on the host",-62} {"server saw",-11} left through");

        var runs = new (string Label, string[] Argv)[]
        {
            ("curl (TCP, IPv4), plainly", Curl(Url4)),
            ("steer run --via up1 -- curl (TCP, IPv4)", [steer, "run", "--via", "up1", "--", .. Curl(Url4)]),
            ("steer run --via up2 -- curl (TCP, IPv4)", [steer, "run", "--via", "up2", "--", .. Curl(Url4)]),
            ("steer run --via up2 -- curl (TCP, IPv6)", [steer, "run", "--via", "up2", "--", .. Curl(Url6)]),
            ("steer run --via up2 -- socat (unconnected UDP, IPv4)", [steer, "run", "--via", "up2", "--", .. Udp(DemoLab.Service4, "UDP4")]),
            ("steer run --via up2 -- socat (unconnected UDP, IPv6)", [steer, "run", "--via", "up2", "--", .. Udp(DemoLab.Service6, "UDP6")]),
        };
        var leftovers = new List<string>();
        foreach (var (label, argv) in runs)
            Show(label, RunInHost(lab, argv, leftovers));

        Console.WriteLine();
        Console.WriteLine("  up2 goes down; a program bound to it must fail, never use up1:");
        using (var host = NetlinkHandle.OpenAt(lab.HostPath))
        {
            host.SetLinkDown("up2");
            int flowsBefore = echo.Flows;
            Show("steer run --via up2 -- curl (TCP, IPv4)", RunInHost(lab, [steer, "run", "--via", "up2", "--", .. Curl(Url4)], leftovers));
            Show("steer run --via up2 -- socat (unconnected UDP, IPv4)", RunInHost(lab, [steer, "run", "--via", "up2", "--", .. Udp(DemoLab.Service4, "UDP4")], leftovers));
            int leaked = echo.Flows - flowsBefore;
            Console.WriteLine(leaked == 0
                ? "  meanwhile the server saw no flow at all: nothing went out through up1"
                : $"  meanwhile the server saw {leaked} flow(s): something leaked!");
            host.SetLinkUp("up2");
            if (leaked != 0)
                return 1;
        }
        Console.WriteLine();
        Console.WriteLine(leftovers.Count == 0
            ? "steer demo: no run left a cgroup or pinned program behind; removing the lab"
            : $"steer demo: left behind: {string.Join(", ", leftovers)}");
        return leftovers.Count == 0 ? 0 : 1;
    }

    private static string[] Curl(string url) => ["curl", "-sS", "--noproxy", "*", "--max-time", "3", url];

    // Four bytes from /dev/zero are the datagram; the answer goes to stdout. UDP-SENDTO is an
    // unconnected socket: sendto() with an address, the case LD_PRELOAD shims miss.
    private static string[] Udp(IPAddress service, string kind) =>
        ["socat", "-t", "1", "OPEN:/dev/zero,readbytes=4!!STDOUT", $"{kind}-SENDTO:{(kind == "UDP6" ? $"[{service}]" : service)}:{DemoEcho.Port}"];

    /// <summary>Runs a program on the lab's host, and checks that a `steer run` left nothing.</summary>
    private static (int ExitCode, string Output) RunInHost(DemoLab lab, string[] argv, List<string> leftovers)
    {
        using var output = new CapturedOutput();
        // A child starts in the network namespace of the thread that spawns it.
        var child = NetNamespace.Run(lab.HostPath, () => SpawnedProcess.Start(argv, output));
        if (!child.Exited.Wait(TimeSpan.FromSeconds(15)))
        {
            child.Signal(Libc.SIGKILL);
            child.Exited.Wait();
        }
        if (argv[0] == Environment.ProcessPath)
        {
            // The run's state is named after its steer process: this child.
            var paths = RunPaths.For(child.Pid, SteerMounts.CgroupRoot(), SteerMounts.BpfRoot());
            leftovers.AddRange(new[] { paths.Cgroup, paths.Pins }.Where(Directory.Exists));
        }
        return (child.Exited.Result, output.ReadAll());
    }

    private static void Show(string label, (int ExitCode, string Output) result)
    {
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seen = lines.Select(l => IPAddress.TryParse(l, out var a) ? a : null).FirstOrDefault(a => a is not null);
        if (result.ExitCode == 0 && seen is not null)
        {
            Console.WriteLine($"  {label,-62} {seen,-11} {DemoLab.UplinkOf(seen) ?? "?"}");
            return;
        }
        var why = lines.FirstOrDefault(l => !l.StartsWith("steer: ", StringComparison.Ordinal)) ?? lines.FirstOrDefault() ?? "no output";
        Console.WriteLine($"  {label,-62} {"-",-11} refused (exit {result.ExitCode}: {why})");
    }

    private static bool IsOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
