using System.CommandLine;
using System.Text.Json;
using Steer.Cli.Commands;
using Steer.Daemon;

namespace Steer.Cli.Proxy;

/// <summary><c>steer conns</c> and <c>steer loops</c>: what the running daemon's proxy is doing.</summary>
internal static class ProxyCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IEnumerable<Command> Create() => [Conns(), Loops()];

    private static Command Conns()
    {
        var json = new Option<bool>("--json") { Description = "One JSON array, for scripts." };
        var conns = new Command("conns", """
            The proxy's live flows: inbound, source, original destination, rule, outbound, interface, bytes.

            Example:
              steer conns
              steer conns --json | jq '.[] | select(.interface == "wg0")'
            """) { json };
        conns.SetAction(result => CommandErrors.Run(() =>
        {
            var response = Ask("conns");
            var flows = response.Conns ?? [];
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(flows, Json));
                return 0;
            }
            if (flows.Count == 0)
            {
                Console.WriteLine("no flows");
                return 0;
            }
            Console.WriteLine($"{"PROTO",-5} {"IN",-6} {"SOURCE",-24} {"DESTINATION",-30} {"OUTBOUND",-28} {"UP",10} {"DOWN",10}  RULE");
            foreach (var f in flows.OrderBy(f => f.Started))
                Console.WriteLine($"{f.Protocol,-5} {f.Inbound,-6} {f.Source,-24} {(f.Name is null ? f.Destination : $"{f.Name} ({f.Destination})"),-30} {f.Outbound ?? f.State,-28} {Bytes(f.BytesUp),10} {Bytes(f.BytesDown),10}  {f.Rule}");
            return 0;
        }));
        return conns;
    }

    private static Command Loops()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object, for scripts." };
        var loops = new Command("loops", """
            Flows the proxy's loop guard refused, and why: its own egress coming back, flows to its own listener, storms.

            Each cause is listed once with what matched (the egress flow, its rule and interface) and
            how often it happened.

            Example:
              steer loops
            """) { json };
        loops.SetAction(result => CommandErrors.Run(() =>
        {
            var response = Ask("loops");
            var report = response.Loops!;
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Json));
                return 0;
            }
            Console.WriteLine($"refused {report.Refused} flows; {report.LiveFlows} flows live (limit {report.MaxFlows}), {report.LiveEgress} egress sockets registered, storm limit {report.StormRate}/s per destination");
            foreach (var c in report.Causes)
                Console.WriteLine($"  {c.Count,8}× {c.Protocol} {c.Cause}\n            {c.Description}\n            first {c.First:u}, last {c.Last:u}");
            if (report.Causes.Count == 0)
                Console.WriteLine("no loop seen");
            return 0;
        }));
        return loops;
    }

    private static ControlResponse Ask(string command)
    {
        var response = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest(command))
            ?? throw new InvalidOperationException("the daemon is not running (steer start)");
        return response.Ok ? response : throw new InvalidOperationException(response.Error);
    }

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1048576.0:F1} MiB",
        _ => $"{bytes / 1073741824.0:F2} GiB",
    };
}
