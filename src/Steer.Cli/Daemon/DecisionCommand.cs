using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Steer.Cli.Commands;
using Steer.Daemon;
using Steer.Linux.Netlink;
using Steer.Linux.SocketPlane;

namespace Steer.Cli.Daemon;

/// <summary>`steer decision --json`: <c>interface</c> is null when the decision refuses (a reject
/// rule, or a rule whose interface did not exist); <c>rule</c> and <c>name</c> come from the
/// daemon and are null without one.</summary>
internal sealed record DecisionJson(string Address, string? Interface, int Ifindex, uint RuleId, string? Rule, string? Name, double? SecondsLeft);

/// <summary><c>steer decision</c>: the kernel's decision map. From the running daemon, each
/// decision comes with its rule and name; without one, from the pins (the kernel keeps enforcing
/// them), with the rule's id only.</summary>
internal static class DecisionCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON: [{address, interface, ifindex, ruleId, rule, name, secondsLeft}]." };
        var decision = new Command("decision", """
            List the kernel's decisions: address, interface, rule, name, time left.

            A decision binds every new socket to that address to its interface. They come from
            Steer's resolver and from DNS answers seen on the host; each lives for the answer's TTL
            plus dns.grace. Works without the daemon too (the kernel keeps them), then without
            rule texts and names.

            Examples:
              steer decision
              steer decision --json
            """) { json };
        decision.SetAction(result => CommandErrors.Run(() =>
        {
            var paths = DaemonPaths.FromEnvironment();
            var views = ControlClient.TrySend(paths, new ControlRequest("decisions"))?.Decisions ?? FromPins(paths);
            if (views is null)
            {
                Console.WriteLine("steer: no host plane is attached (steer start)");
                return 3;
            }
            using var netlink = NetlinkHandle.Open();
            var decisions = views.OrderBy(d => d.Address, StringComparer.Ordinal)
                .Select(d => new DecisionJson(d.Address, Explainer.InterfaceName(netlink, d.Ifindex), d.Ifindex, d.RuleId, d.Rule, d.Name, d.SecondsLeft))
                .ToList();
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(decisions, DecisionJsonContext.Default.ListDecisionJson));
                return 0;
            }
            foreach (var d in decisions)
            {
                var left = d.SecondsLeft is { } s ? (s > 0 ? $"{s:F0} s left" : "expired") : "no expiry";
                Console.WriteLine($"  {d.Address,-40} {d.Interface ?? "refused",-12} {left,-12} {d.Rule ?? $"rule {d.RuleId}"}{(d.Name is { } n ? $" ({n})" : "")}");
            }
            Console.WriteLine($"{decisions.Count} decision(s)");
            return 0;
        }));
        return decision;
    }

    private static List<DecisionView>? FromPins(DaemonPaths paths)
    {
        if (!HostBinding.IsPinned(paths.HostPins))
            return null;
        using var host = HostBinding.Adopt(paths.HostPins);
        return [.. host.Decisions.Snapshot().Select(d => new DecisionView(d.Address.ToString(), d.InterfaceIndex, d.Rule, null, null, d.Remaining?.TotalSeconds))];
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<DecisionJson>))]
internal sealed partial class DecisionJsonContext : JsonSerializerContext;
