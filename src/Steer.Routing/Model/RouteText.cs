using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Steer.Linux.Netlink;

namespace Steer.Routing.Model;

/// <summary>Routes, rules and whole diffs in <c>ip</c> syntax with interface names, for plan
/// output and logs.</summary>
public static class RouteText
{
    public static string Route(Route route, HostFacts facts)
    {
        var text = route.ToString();
        if (route.OutputInterface is { } index && route.Type == RouteType.Unicast)
            text = text.Replace($" dev if{index}", $" dev {facts.NameOf(index)}", StringComparison.Ordinal);
        else if (route.OutputInterface is { } other)
            text = text.Replace($" dev if{other}", "", StringComparison.Ordinal);
        return (route.Family == AddressFamily.InterNetworkV6 ? "-6 " : "") + text.Replace("proto 245", "proto steer", StringComparison.Ordinal);
    }

    public static string Rule(Rule rule) =>
        (rule.Family == AddressFamily.InterNetworkV6 ? "-6 " : "") +
        rule.ToString().Replace(":\t", ": ", StringComparison.Ordinal).Replace("proto 245", "proto steer", StringComparison.Ordinal);

    public static string Mark(MarkBinding mark) =>
        string.Create(CultureInfo.InvariantCulture, $"connections arriving on {mark.Interface}: ct mark 0x{mark.Mark:x}/0x{Ownership.MarkMask:x}, restored to the packet mark of their replies");

    /// <summary>One line per change: <c>+</c> added, <c>-</c> removed, <c>~</c> changed, <c>!</c>
    /// a collision or problem that stops apply, <c>#</c> a note.</summary>
    public static IEnumerable<string> Lines(RoutePlanDiff diff, HostFacts facts)
    {
        foreach (var c in diff.Collisions)
            yield return "! collision: " + c;
        foreach (var p in diff.Problems)
            yield return "! " + p;
        foreach (var s in diff.Sysctls)
            yield return s.Restore
                ? $"~ sysctl {s.DisplayKey} = {s.Value} (restored; now {s.Current ?? "absent"})"
                : $"~ sysctl {s.DisplayKey} = {s.Value} (now {s.Current ?? "absent"}; restored on stop)";
        foreach (var r in diff.AddRoutes)
            yield return "+ route " + Route(r, facts);
        foreach (var r in diff.ReplaceRoutes)
            yield return $"~ route {Route(r.New, facts)} (was: {Route(r.Old, facts)})";
        foreach (var r in diff.DeleteRoutes)
            yield return "- route " + Route(r, facts);
        foreach (var r in diff.AddRules)
            yield return "+ rule " + Rule(r);
        foreach (var r in diff.DeleteRules)
            yield return "- rule " + Rule(r);
        if (diff.Marks is { } marks)
        {
            if (marks.Drift is not null)
                yield return $"~ nft inet {Ownership.NftTable}: Steer's chains were changed by hand ({marks.Drift}); rewritten";
            foreach (var m in marks.Desired.Except(marks.Current))
                yield return $"+ nft inet {Ownership.NftTable}: " + Mark(m);
            foreach (var m in marks.Current.Except(marks.Desired))
                yield return $"- nft inet {Ownership.NftTable}: " + Mark(m);
            if (marks.Desired.Count == 0)
                yield return $"- nft inet {Ownership.NftTable}: chains {Ownership.IngressChain}, {Ownership.OutputChain}";
            else if (marks.Current.Count == 0)
                yield return $"+ nft inet {Ownership.NftTable}: chains {Ownership.IngressChain} (prerouting), {Ownership.OutputChain} (output, reroutes)";
        }
        foreach (var n in diff.Notes)
            yield return "# " + n;
    }

    /// <summary>The whole diff as text, "no changes" when empty.</summary>
    public static string Format(RoutePlanDiff diff, HostFacts facts)
    {
        var text = new StringBuilder();
        foreach (var line in Lines(diff, facts))
            text.Append(line).Append('\n');
        if (diff.IsEmpty && diff.Collisions.Count == 0 && diff.Problems.Count == 0)
            text.Append("no changes\n");
        return text.ToString();
    }
}
