using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Steer.Cli.Commands;
using Steer.Cli.Routes;
using Steer.Cli.Run;
using Steer.Daemon;

namespace Steer.Cli.Daemon;

/// <summary><c>steer rdns</c> and <c>steer explain</c>: why a destination goes where it goes.</summary>
internal static class InspectCommands
{
    public static IEnumerable<Command> Create() => [Rdns(), Explain()];

    private static Command Rdns()
    {
        var address = new Argument<string?>("ADDRESS") { Description = "Only this address.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON: [{address, name, secondsLeft}]." };
        var rdns = new Command("rdns", """
            Which name each address was an answer for, and the TTL left (from the running daemon).

            Addresses come from Steer's resolver and from DNS answers seen on the host's
            interfaces. Exit code 1 when ADDRESS is given and no name is known for it.

            Examples:
              steer rdns
              steer rdns 10.8.1.2 --json
            """) { address, json };
        rdns.SetAction(result => CommandErrors.Run(() =>
        {
            var response = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest("rdns"))
                ?? throw new InvalidOperationException("the daemon is not running (steer start)");
            var wanted = result.GetValue(address);
            if (wanted is not null && !IPAddress.TryParse(wanted, out _))
                throw new UsageException($"{wanted}: not an IP address");
            var names = (response.Names ?? [])
                .Where(n => wanted is null || IPAddress.Parse(n.Address).Equals(IPAddress.Parse(wanted)))
                .OrderBy(n => n.Address, StringComparer.Ordinal).ToList();
            if (result.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(names, InspectJson.Default.ListAddressName));
            else
            {
                foreach (var n in names)
                    Console.WriteLine($"  {n.Address,-40} {n.Name,-40} {n.SecondsLeft:F0} s left");
                if (names.Count == 0)
                    Console.WriteLine(wanted is null ? "no address learnt yet" : $"{wanted}: no name known");
            }
            return names.Count > 0 || wanted is null ? 0 : 1;
        }));
        return rdns;
    }

    private static Command Explain()
    {
        var target = new Argument<string>("NAME|ADDRESS") { Description = "A domain name or an IP address." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "steer.yaml, whose rules count too.", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print JSON: rule, why, location, effect, interface {name, index, exists, up, route}, decision." };
        var from = new Option<string?>("--from") { Description = "Route plane: the local address a reply is sent from.", HelpName = "ADDR" };
        var iif = new Option<string?>("--iif") { Description = "Route plane: the interface the request came in on.", HelpName = "IFACE" };
        var oif = new Option<string?>("--oif") { Description = "Route plane: the interface the replying socket is bound to.", HelpName = "IFACE" };
        var mark = new Option<string?>("--mark") { Description = "Route plane: the packet mark (default: the mark Steer gives connections arriving on --iif).", HelpName = "MARK" };
        var port = new Option<string?>("--port") { Description = "Proxy: the flow's destination port, for rules with port conditions.", HelpName = "PORT" };
        var protocol = new Option<string?>("--protocol") { Description = "Proxy: the flow's protocol, tcp or udp.", HelpName = "tcp|udp" };
        var source = new Option<string?>("--source") { Description = "Proxy: the flow's source address, for rules with source conditions.", HelpName = "ADDR" };
        var explain = new Command("explain", """
            Say which rule a name or an address falls under, which interface that gives, and how.

            Shows the rule (and where it is written), the interface and whether it is up, for an
            address the kernel's decision and the route a socket bound to that interface would
            take. Works without the daemon.

            With --port, --protocol or --source: the proxy's answer for such a flow, which counts
            rules with port, protocol and source conditions too (they apply to proxied flows only).

            With --from, --iif, --oif or --mark: the route plane's answer instead — which rule and
            table a reply from ADDR to the destination takes, for a request that came in on IFACE.

            Examples:
              steer explain www.example.com
              steer explain 10.8.1.2 --json
              steer explain www.example.com --port 443 --protocol tcp --source 192.168.1.7
              steer explain --from 192.168.2.1 --iif eth2 172.16.1.2
            """) { target, config, json, port, protocol, source, from, iif, oif, mark };
        explain.SetAction(result => CommandErrors.Run(() =>
        {
            if (RouteExplanation.Requested(result.GetValue(from), result.GetValue(iif), result.GetValue(oif), result.GetValue(mark)) is { } question)
                return RouteExplanation.Print(result.GetValue(target)!, question);
            var paths = DaemonPaths.FromEnvironment();
            var rules = RuleSources.Load(result.GetValue(config)?.FullName, paths.RuleFile);
            var flow = FlowOptions.Parse(result.GetValue(port), result.GetValue(protocol), result.GetValue(source));
            var explanation = Explainer.Explain(result.GetValue(target)!, rules, paths, flow);
            if (result.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(explanation, InspectJson.Default.Explanation));
            else
                Explainer.Print(explanation, Console.Out);
            return 0;
        }));
        return explain;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(Explanation))]
[JsonSerializable(typeof(List<AddressName>))]
internal sealed partial class InspectJson : JsonSerializerContext;
