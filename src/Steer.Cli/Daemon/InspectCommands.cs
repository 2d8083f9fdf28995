using System.CommandLine;
using System.Net;
using Steer.Cli.Commands;
using Steer.Cli.Routes;
using Steer.Cli.Run;
using Steer.Daemon;
using Steer.Linux.Netlink;
using Steer.Linux.SocketPlane;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Cli.Daemon;

/// <summary><c>steer rdns</c> and <c>steer explain</c>: why a destination goes where it goes.</summary>
internal static class InspectCommands
{
    public static IEnumerable<Command> Create() => [Rdns(), Explain()];

    private static Command Rdns()
    {
        var address = new Argument<string?>("ADDRESS") { Description = "Only this address.", Arity = ArgumentArity.ZeroOrOne };
        var rdns = new Command("rdns", "Which name each address was an answer for, and the TTL left (from the running daemon).") { address };
        rdns.SetAction(result => CommandErrors.Run(() =>
        {
            var response = ControlClient.TrySend(DaemonPaths.FromEnvironment(), new ControlRequest("rdns"))
                ?? throw new InvalidOperationException("the daemon is not running (steer start)");
            var wanted = result.GetValue(address);
            var names = (response.Names ?? []).Where(n => wanted is null || n.Address == wanted).OrderBy(n => n.Address, StringComparer.Ordinal).ToList();
            foreach (var n in names)
                Console.WriteLine($"  {n.Address,-40} {n.Name,-40} {n.SecondsLeft:F0} s left");
            if (names.Count == 0)
                Console.WriteLine(wanted is null ? "no address learnt yet" : $"{wanted}: no name known");
            return names.Count > 0 || wanted is null ? 0 : 1;
        }));
        return rdns;
    }

    private static Command Explain()
    {
        var target = new Argument<string>("NAME|ADDRESS") { Description = "A domain name or an IP address." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "steer.yaml, whose rules count too.", HelpName = "FILE" };
        var from = new Option<string?>("--from") { Description = "Route plane: the local address a reply is sent from.", HelpName = "ADDR" };
        var iif = new Option<string?>("--iif") { Description = "Route plane: the interface the request came in on.", HelpName = "IFACE" };
        var oif = new Option<string?>("--oif") { Description = "Route plane: the interface the replying socket is bound to.", HelpName = "IFACE" };
        var mark = new Option<string?>("--mark") { Description = "Route plane: the packet mark (default: the mark Steer gives connections arriving on --iif).", HelpName = "MARK" };
        var explain = new Command("explain", """
            Say which rule a name or an address falls under, which interface that gives, and how.

            Shows the rule (and where it is written), the interface and whether it is up, for an
            address the kernel's decision and the route a socket bound to that interface would
            take. Works without the daemon.

            With --from, --iif, --oif or --mark: the route plane's answer instead — which rule and
            table a reply from ADDR to the destination takes, for a request that came in on IFACE.

            Examples:
              steer explain www.example.com
              steer explain 10.8.1.2
              steer explain --from 192.168.2.1 --iif eth2 172.16.1.2
            """) { target, config, from, iif, oif, mark };
        explain.SetAction(result => CommandErrors.Run(() =>
        {
            if (RouteExplanation.Requested(result.GetValue(from), result.GetValue(iif), result.GetValue(oif), result.GetValue(mark)) is { } question)
                return RouteExplanation.Print(result.GetValue(target)!, question);
            var paths = DaemonPaths.FromEnvironment();
            var rules = RuleSources.Load(result.GetValue(config)?.FullName, paths.RuleFile);
            var text = result.GetValue(target)!;
            IPAddress? address = IPAddress.TryParse(text, out var parsed) ? parsed : null;
            RuleMatch? match;
            if (address is not null)
                match = rules.MatchAddress(address);
            else if (DomainName.TryParse(text, out var name, out var error))
                match = rules.MatchName(name.Value);
            else
                throw new UsageException($"{text}: neither an address nor a name ({error})");

            Console.WriteLine($"destination  {text}");
            if (match is not { } found)
            {
                Console.WriteLine("rule         none: the routing table decides");
            }
            else
            {
                Console.WriteLine($"rule         {found.Rule}, {found.Why}{(found.Rule.Location is { } at ? $" (at {at})" : "")}");
                if (found.Rule.Action is ViaAction via)
                    DescribeInterface(via.Interface, address);
                else if (found.Rule.Action is RejectAction)
                    Console.WriteLine("effect       refused: connections fail, DNS answers REFUSED");
            }
            if (address is not null && HostBinding.IsPinned(paths.HostPins))
            {
                using var host = HostBinding.Adopt(paths.HostPins);
                Console.WriteLine(host.Decisions.TryGet(address, out var decision)
                    ? $"decision     in the kernel: ifindex {decision.InterfaceIndex}, rule {decision.Rule}, {(decision.Remaining is { } left ? $"{left.TotalSeconds:F0} s left" : "no expiry")}"
                    : "decision     none in the kernel");
            }
            return 0;
        }));
        return explain;
    }

    private static void DescribeInterface(string name, IPAddress? address)
    {
        using var netlink = NetlinkHandle.Open();
        var link = netlink.GetLink(name);
        if (link is null)
        {
            Console.WriteLine($"interface    {name} does not exist: its flows are refused (fail closed)");
            return;
        }
        Console.WriteLine($"interface    {name} (index {link.Index}), {(link.IsUp ? "up" : "DOWN: its flows fail until it is up")}");
        if (address is null)
            return;
        try
        {
            Console.WriteLine($"route        bound to {name}: {netlink.LookupRoute(address, link.Index)}");
        }
        catch (NetlinkException e)
        {
            Console.WriteLine($"route        bound to {name}: none ({e.Message}); a bound socket cannot reach it — is there a route through {name}?");
        }
    }
}
