
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Steer.Routing.Model;

namespace Steer.Routing.Kernel;

/// <summary>The kernel refused part of a change; everything done before it was undone.</summary>
public sealed class RoutePlaneException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Applies a <see cref="RoutePlanDiff"/> all or nothing: each step records its inverse, and when
/// one fails the inverses run in reverse order, so the kernel is as it was. Order: sysctls
/// (originals saved first), new routes (connected before default), replaced routes, new rules,
/// nft chains, then the removals — so no packet meets a rule without its table.
/// </summary>
internal static class DiffApplier
{
    public static void Apply(RouteKernel kernel, RoutePlanDiff diff, SysctlStore store, IReadOnlySet<string> desiredSysctls)
    {
        var undo = new Stack<(string What, Action Action)>();
        var saved = store.Load();
        var savedBefore = new Dictionary<string, string>(saved, StringComparer.Ordinal);
        var netlink = kernel.Netlink;
        string step = "";
        try
        {
            foreach (var change in diff.Sysctls)
            {
                step = $"sysctl {change.DisplayKey}={change.Value}";
                if (!change.Restore && change.Current is { } original && !saved.ContainsKey(change.Key))
                {
                    saved[change.Key] = original;
                    store.Save(saved); // before the write: a crash right after still knows the original
                }
                kernel.WriteSysctl(change.Key, change.Value);
                if (change.Current is { } previous)
                    undo.Push((step, () => kernel.WriteSysctl(change.Key, previous)));
            }
            foreach (var route in diff.AddRoutes)
            {
                step = "route add " + route;
                netlink.AddRoute(route);
                undo.Push((step, () => IgnoreMissing(() => netlink.DeleteRoute(route))));
            }
            foreach (var replacement in diff.ReplaceRoutes)
            {
                step = "route replace " + replacement.New;
                netlink.ReplaceRoute(replacement.New);
                undo.Push((step, () => netlink.ReplaceRoute(replacement.Old)));
            }
            foreach (var rule in diff.AddRules)
            {
                step = "rule add " + rule;
                netlink.AddRule(rule);
                undo.Push((step, () => IgnoreMissing(() => netlink.DeleteRule(rule))));
            }
            if (diff.Marks is { } marks)
            {
                step = "nft inet steer";
                kernel.WriteMarks(marks.Desired);
                undo.Push((step, () => kernel.WriteMarks(marks.Current)));
            }
            foreach (var rule in diff.DeleteRules)
            {
                step = "rule del " + rule;
                IgnoreMissing(() => netlink.DeleteRule(rule));
                undo.Push((step, () => netlink.AddRule(rule)));
            }
            foreach (var route in diff.DeleteRoutes)
            {
                step = "route del " + route;
                IgnoreMissing(() => netlink.DeleteRoute(route));
                undo.Push((step, () => netlink.AddRoute(route)));
            }
        }
        catch (Exception e) when (e is LinuxException or Steer.Linux.Nft.NftException or IOException or InvalidOperationException or ArgumentException)
        {
            var failures = new List<string>();
            while (undo.TryPop(out var inverse))
            {
                try { inverse.Action(); }
                catch (Exception u) when (u is LinuxException or Steer.Linux.Nft.NftException or IOException or InvalidOperationException)
                {
                    failures.Add($"undo of {inverse.What}: {u.Message}");
                }
            }
            store.Save(savedBefore);
            var message = $"{step}: {e.Message}; " + (failures.Count == 0 ? "every change before it was undone" : "undo failed too: " + string.Join("; ", failures));
            throw new RoutePlaneException(message, e);
        }

        // Originals of keys Steer no longer sets are forgotten once given back.
        foreach (var key in saved.Keys.Where(k => !desiredSysctls.Contains(k)).ToList())
            saved.Remove(key);
        store.Save(saved);
    }

    /// <summary>Removing what is already gone (a link taking its routes along) is success.</summary>
    private static void IgnoreMissing(Action action)
    {
        try { action(); }
        catch (NetlinkException e) when (e.Errno is Errno.ESRCH or Errno.ENOENT or Errno.ENODEV) { }
    }
}
