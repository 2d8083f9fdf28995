using System.CommandLine;
using System.Text.Json;
using Steer.Cli.Commands;
using Steer.Cli.Run;
using Steer.Policy;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Cli.Rules;

/// <summary><c>steer rule add|del|list|import</c>: the stored domain and CIDR rules.</summary>
internal static class RuleCommand
{
    public static Command Create()
    {
        var rule = new Command("rule", """
            Add, remove, list and import the rules that send destinations through an interface.

            A domain rule covers the name and every name below it (example.com covers
            www.example.com, not badexample.com); --exact covers one name only; a CIDR rule covers
            addresses. The most specific rule wins, whatever the order: an exact name, then the
            longest matching domain, then the longest matching prefix.

            --port, --protocol and --source narrow a rule to some flows (example.com, port 443);
            such a rule applies to proxied flows only — the socket, route and name planes decide
            by address or name alone and skip it. Within one destination, rules with more
            conditions are tried first; '*' as DESTINATION is any destination, below every other.
            Rules are kept in
            /var/lib/steer/rules, across `steer stop`/`start` and reboots, beside those of
            steer.yaml.

            Examples:
              steer rule add example.com wg0
              steer rule add --exact login.example.org wg0
              steer rule add 10.8.0.0/16 wg0
              steer rule add example.com wg0 --port 443 --protocol tcp
              steer rule add '*' wan0 --port 22 --source 192.168.1.0/24
              steer rule del example.com
              steer rule import /etc/dnsmasq.d/vpn.conf wg0
              steer rule import streaming.txt wan1 --port 443 --source 192.168.1.0/24
              steer rule list --json
            """)
        {
            Add(), Delete(), List(), Import(),
        };
        return rule;
    }

    private static Command Add()
    {
        var target = new Argument<string>("DESTINATION") { Description = "A domain (suffix), a name with --exact, or a CIDR (IPv4 or IPv6)." };
        var via = new Argument<string>("IFACE") { Description = "The interface its traffic must use." };
        var exact = new Option<bool>("--exact") { Description = "Match this one name only, not the names below it." };
        var (port, protocol, source) = ConditionOptions();
        var add = new Command("add", "Send a domain, a name or a CIDR through an interface (replaces an earlier rule for the same destination and conditions).") { target, via, exact, port, protocol, source };
        add.SetAction(result => CommandErrors.Run(() =>
        {
            var conditions = ParseConditions(result.GetValue(port), result.GetValue(protocol), result.GetValue(source));
            var rule = Rule.Create(ParseDestination(result.GetValue(target)!, result.GetValue(exact), conditions), ParseVia(result.GetValue(via)!), conditions);
            var store = RuleStore.Default();
            store.Change(rules => RuleStore.Upsert(rules, [rule]));
            Console.WriteLine($"steer: added {rule} (in {store.Path}){DaemonReload.Notify()}");
            if (rule.HasConditions)
                DaemonReload.PrintWarnings();
            return 0;
        }));
        return add;
    }

    private static Command Delete()
    {
        var target = new Argument<string>("DESTINATION") { Description = "The domain, name (with --exact) or CIDR of the rule." };
        var exact = new Option<bool>("--exact") { Description = "The rule is an exact-name rule." };
        var (port, protocol, source) = ConditionOptions();
        var del = new Command("del", "Remove the rule for a destination (with the same --port, --protocol and --source as it was added with).") { target, exact, port, protocol, source };
        del.SetAction(result => CommandErrors.Run(() =>
        {
            var conditions = ParseConditions(result.GetValue(port), result.GetValue(protocol), result.GetValue(source));
            var destination = ParseDestination(result.GetValue(target)!, result.GetValue(exact), conditions);
            var match = conditions.IsNone ? destination.ToString() : destination is AnyDestination ? conditions.ToString() : $"{destination}, {conditions}";
            var store = RuleStore.Default();
            store.Change(rules =>
            {
                if (rules.RemoveAll(r => r.Destination == destination && r.Conditions.Equals(conditions)) == 0)
                {
                    var others = rules.Count(r => r.Destination == destination);
                    throw new UsageException($"no rule for {match} (steer rule list shows them" +
                                             (others > 0 ? $"; {destination} has {others} rule(s) with other conditions)" : ")"));
                }
                return rules;
            });
            Console.WriteLine($"steer: removed the rule for {match}{DaemonReload.Notify()}");
            return 0;
        }));
        return del;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON: rules and findings." };
        var list = new Command("list", "Show the stored rules, most specific first, and where they overlap or tie.") { json };
        list.SetAction(result => CommandErrors.Run(() =>
        {
            var store = RuleStore.Default();
            var rules = store.Load();
            var findings = rules.Findings();
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new RuleListJson(
                    [.. rules.CanonicalOrder.Select(RuleJson.From)],
                    [.. findings.Select(f => new FindingJson(f.Severity.ToString().ToLowerInvariant(), f.Message))]), RuleJsonContext.Default.RuleListJson));
                return 0;
            }
            if (rules.Count == 0)
                Console.WriteLine($"no rules in {store.Path} (add one: steer rule add example.com wg0)");
            foreach (var rule in rules.CanonicalOrder)
            {
                var conditions = rule.HasConditions ? $"{rule.Conditions}  " : "";
                var scope = rule.HasConditions ? "  (applies to proxied flows only)" : "";
                Console.WriteLine($"  {rule.Destination.Key,-7} {rule.Destination.Value,-40} {conditions}{rule.Action}{scope}");
            }
            foreach (var finding in findings)
                Console.WriteLine(finding);
            return 0;
        }));
        return list;
    }

    private static Command Import()
    {
        var path = new Argument<FileInfo>("FILE") { Description = "Domains, one per line (# comments), or dnsmasq lines: server=/name/..., nftset=/name/..., ipset=/name/..." };
        var via = new Argument<string>("IFACE") { Description = "The interface every imported domain must use." };
        var (port, protocol, source) = ConditionOptions();
        var import = new Command("import", "Add a domain rule for every domain in a list or a dnsmasq configuration (each with the --port, --protocol and --source given).") { path, via, port, protocol, source };
        import.SetAction(result => CommandErrors.Run(() =>
        {
            var file = result.GetValue(path)!;
            var action = ParseVia(result.GetValue(via)!);
            var conditions = ParseConditions(result.GetValue(port), result.GetValue(protocol), result.GetValue(source));
            IReadOnlyList<Rule> imported;
            try
            {
                using var reader = file.OpenText();
                imported = RuleImport.Parse(reader, file.FullName, action);
                if (!conditions.IsNone)
                    imported = [.. imported.Select(r => Rule.Create(r.Destination, r.Action, conditions, r.Location))];
            }
            catch (FormatException e)
            {
                throw new UsageException($"nothing imported:\n{e.Message}");
            }
            catch (IOException e)
            {
                throw new UsageException($"{file.FullName}: {e.Message}");
            }
            RuleStore.Default().Change(rules => RuleStore.Upsert(rules, [.. imported]));
            Console.WriteLine($"steer: imported {imported.Count} domain rule(s), each {(conditions.IsNone ? "" : $"{conditions} ")}{action}{DaemonReload.Notify()}");
            if (!conditions.IsNone)
                DaemonReload.PrintWarnings();
            return 0;
        }));
        return import;
    }

    private static (Option<string?> Port, Option<string?> Protocol, Option<string?> Source) ConditionOptions() => (
        new Option<string?>("--port") { Description = "Only flows to these destination ports: 443, 8000-8999 or 80,443 (proxied flows only).", HelpName = "PORTS" },
        new Option<string?>("--protocol") { Description = "Only tcp or only udp flows (proxied flows only).", HelpName = "tcp|udp" },
        new Option<string?>("--source") { Description = "Only flows from these networks: 192.168.1.0/24 or a comma list (proxied flows only).", HelpName = "CIDRS" });

    private static RuleConditions ParseConditions(string? port, string? protocol, string? source)
    {
        var builder = new RuleConditionsText.Builder();
        foreach (var (key, value) in new[] { ("port", port), ("protocol", protocol), ("source", source) })
        {
            if (value is not null && RuleConditionsText.TryAdd(ref builder, key, value) is { } problem)
                throw new UsageException($"--{problem}");
        }
        return builder.Build();
    }

    private static Destination ParseDestination(string text, bool exact, RuleConditions conditions)
    {
        if (text == "*")
        {
            return conditions.IsNone || exact
                ? throw new UsageException("'*' (any destination) needs --port, --protocol or --source, and no --exact")
                : AnyDestination.Instance;
        }
        return ParseDestination(text, exact);
    }

    private static Destination ParseDestination(string text, bool exact)
    {
        if (!exact && Cidr.TryParse(text, out var network, out _))
            return new CidrDestination(network);
        if (!DomainName.TryParse(text, out var name, out var error))
            throw new UsageException($"{error} (give a domain, an --exact name or a CIDR)");
        return exact ? new NameDestination(name) : new DomainDestination(name);
    }

    private static ViaAction ParseVia(string name) =>
        InterfaceName.Validate(name) is { } problem ? throw new UsageException($"{name}: {problem}") : new ViaAction(name);
}
