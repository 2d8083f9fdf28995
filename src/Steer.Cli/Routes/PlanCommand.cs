using System.CommandLine;
using System.Text;
using System.Text.Json;
using Steer.Cli.Commands;
using Steer.Cli.Run;
using Steer.Daemon;
using Steer.Daemon.Planes;
using Steer.Policy.Configuration;
using Steer.Routing;
using Steer.Routing.Model;

namespace Steer.Cli.Routes;

/// <summary><c>steer plan -c steer.yaml [--json]</c>: what the route plane would change, changing nothing.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "The steer.yaml to plan for.", HelpName = "FILE", Required = true };
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var plan = new Command("plan", """
            Print exactly what `steer start` or `steer apply` would change in routes, rules, nft and sysctls.

            Reads the kernel's links, addresses, routes, rules and Steer's nft chains, compiles the
            file's uplinks and sources, and prints the difference: + added, - removed, ~ changed,
            ! a collision or problem that stops apply, # a note. Changes nothing. Exit code 0
            when the plan can be applied, 1 when it cannot (collisions), 2 for a bad file.

            Examples:
              steer plan -c /etc/steer/steer.yaml
              steer plan -c steer.yaml --json
            """) { config, json };
        plan.SetAction(result => CommandErrors.Run(() =>
        {
            var file = result.GetValue(config)!;
            var loaded = ConfigLoader.Load(File.ReadAllText(file.FullName), file.FullName);
            if (!loaded.Succeeded)
                throw new UsageException($"nothing planned:\n{string.Join('\n', loaded.Errors)}");
            var paths = DaemonPaths.FromEnvironment();
            using var routes = new RoutePlane(new RoutePlaneOptions(null, RoutesDaemonPlane.SysctlStatePath(paths), TextWriter.Null));
            var diff = routes.Plan(loaded.Config!, out var facts);
            Console.Write(result.GetValue(json) ? Json(diff, facts) : RouteText.Format(diff, facts));
            return diff.CanApply ? 0 : 1;
        }));
        return plan;
    }

    private static string Json(RoutePlanDiff diff, HostFacts facts)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteBoolean("canApply", diff.CanApply);
            w.WriteNumber("changes", diff.ChangeCount);
            var lines = RouteText.Lines(diff, facts).ToList();
            Array(w, "add", lines.Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).Select(l => l[2..]));
            Array(w, "remove", lines.Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..]));
            Array(w, "change", lines.Where(l => l.StartsWith("~ ", StringComparison.Ordinal)).Select(l => l[2..]));
            Array(w, "collisions", diff.Collisions);
            Array(w, "problems", diff.Problems);
            Array(w, "notes", diff.Notes);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Array(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
            w.WriteStringValue(item);
        w.WriteEndArray();
    }
}
