using System.Text;
using Steer.Policy.Names;
using Steer.Policy.Rules;

namespace Steer.Policy.Configuration;

/// <summary>
/// Steer's rule state file (/var/lib/steer/rules): the rules added with <c>steer rule add</c> and
/// <c>steer rule import</c>, kept across stop, start and reboots. One rule per line, as
/// <c>steer rule list</c> prints them:
/// <code>
/// domain example.com via wg0
/// name login.example.org via eth1
/// cidr 10.8.0.0/16 via wg0
/// domain ads.example reject
/// domain corp.example outbound corp
/// domain example.com port 443 protocol tcp source 10.0.0.0/8 via wg0
/// any * port 22 via wan0
/// </code>
/// A line format, not YAML: a million imported domains must load in seconds (bench/rules: the
/// YAML loader, which keeps line and column for every node, takes four times longer).
/// Errors name FILE:LINE; a damaged file is never half-read.
/// </summary>
public static class RuleFile
{
    private const string Header = """
        # Rules added with `steer rule add` and `steer rule import`; Steer rewrites this file.
        # One per line: domain|name|cidr VALUE [port P] [protocol tcp|udp] [source CIDRS] via IFACE | reject | outbound NAME

        """;

    /// <summary>The file's text for <paramref name="rules"/>, in canonical order.</summary>
    public static string Format(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var text = new StringBuilder(Header, Header.Length + rules.Count * 40);
        foreach (var rule in rules.CanonicalOrder)
        {
            text.Append(rule.Destination.Key).Append(' ').Append(rule.Destination.Value);
            if (rule.HasConditions)
                RuleConditionsText.Append(text, rule.Conditions);
            text.Append(' ').Append(rule.Action.ToString()).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The rules of the file, or every bad line as "FILE:LINE: problem".</summary>
    /// <exception cref="FormatException">One line per problem; nothing is returned then.</exception>
    public static RuleSet Parse(TextReader reader, string fileName)
    {
        var expected = reader is StreamReader { BaseStream.CanSeek: true } file ? EstimateCount(file.BaseStream.Length) : 0;
        if (RuleSet.TryBuild(Read(reader, fileName), expected, out var set, out var conflicts))
            return set;
        throw new FormatException(string.Join('\n', conflicts.Select(c => $"{c.Rule.Location}: {c.Message}")));
    }

    /// <summary>The file's rules as a list, not yet compiled into a set.</summary>
    /// <exception cref="FormatException">One line per bad line; nothing is returned then.</exception>
    public static List<Rule> ParseRules(TextReader reader, string fileName) => [.. Read(reader, fileName)];

    /// <summary>A guess at how many rules the file at <paramref name="path"/> holds, from its size
    /// (lines of `domain NAME via IFACE` average 30 to 40 bytes): to size a set built from
    /// <see cref="ReadFile"/>.</summary>
    public static int EstimateCount(string path) => EstimateCount(new FileInfo(path).Length);

    private static int EstimateCount(long bytes) => (int)Math.Min(bytes / 32, 16_000_000);

    /// <summary>The rules of the file at <paramref name="path"/>, streamed as it is read (see <see cref="Read"/>).</summary>
    public static IEnumerable<Rule> ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        foreach (var rule in Read(reader, path))
            yield return rule;
    }

    /// <summary>
    /// The file's rules, streamed as they are read, for a caller that builds the set straight from
    /// them (and may add rules of its own, steer.yaml's): a million rules are then never all objects
    /// at once, which was most of the daemon's peak memory. Good lines are yielded even after a bad
    /// one, so that every bad line is reported: the caller must use nothing when it throws.
    /// </summary>
    /// <exception cref="FormatException">At the end, one line per bad line.</exception>
    public static IEnumerable<Rule> Read(TextReader reader, string fileName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new List<string>();
        int lineNumber = 0;
        // One action object per interface: a million rules via wg0 share one.
        var actions = new Dictionary<string, RuleAction>(StringComparer.Ordinal);
        var lines = new LineReader(reader);
        while (lines.TryRead(out var line))
        {
            lineNumber++;
            var content = line.Trim();
            if (content.IsEmpty || content[0] == '#')
                continue;
            var problem = TryParseLine(content, actions, new SourceLocation(fileName, lineNumber, 1), out var rule);
            if (problem is not null)
                errors.Add($"{fileName}:{lineNumber}: {problem}");
            else
                yield return rule!;
        }
        if (errors.Count > 0)
            throw new FormatException(string.Join('\n', errors));
    }

    private static string? TryParseLine(ReadOnlySpan<char> line, Dictionary<string, RuleAction> actions, SourceLocation location, out Rule? rule)
    {
        rule = null;
        Span<Range> fields = stackalloc Range[11];
        int count = line.SplitAny(fields, " \t", StringSplitOptions.RemoveEmptyEntries);
        // Conditions sit between the value and the action, as pairs: port 443 protocol tcp source CIDRS.
        var conditions = new RuleConditionsText.Builder();
        var next = 2;
        while (count > next + 1 && RuleConditionsText.IsKey(line[fields[next]]))
        {
            if (RuleConditionsText.TryAdd(ref conditions, line[fields[next]], line[fields[next + 1]]) is { } problem)
                return problem;
            next += 2;
        }
        if (next > 2)
        {
            // Moved down so the action reads as fields 2 and 3, as in a line without conditions.
            fields[2] = fields[next];
            fields[3] = count > next + 1 ? fields[next + 1] : default;
            count -= next - 2;
        }
        if (count is < 3 or > 4)
            return $"'{line}': expected KIND VALUE [CONDITIONS] ACTION (e.g. domain example.com via wg0)";
        var kind = line[fields[0]];
        var value = line[fields[1]].ToString();
        Destination destination;
        if (kind.SequenceEqual("cidr"))
        {
            if (!Cidr.TryParse(value, out var network, out var error))
                return error;
            destination = new CidrDestination(network);
        }
        else if (kind.SequenceEqual("domain") || kind.SequenceEqual("name"))
        {
            if (!DomainName.TryParse(value, out var name, out var error))
                return error;
            destination = kind.SequenceEqual("domain") ? new DomainDestination(name) : new NameDestination(name);
        }
        else if (kind.SequenceEqual("any") && value == "*")
            destination = AnyDestination.Instance;
        else
            return $"'{kind}' is not a kind of rule (domain, name, cidr or any *)";

        // Looked up by the action's text as written, without making a string: a million lines
        // share a handful of actions.
        var actionText = line[fields[2].Start.Value..];
        if (!actions.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(actionText, out var action))
        {
            var verb = line[fields[2]];
            string? argument = count == 4 ? line[fields[3]].ToString() : null;
            if (verb.SequenceEqual("reject") && argument is null)
                action = RejectAction.Instance;
            else if (verb.SequenceEqual("via") && argument is not null)
            {
                if (InterfaceName.Validate(argument) is { } problem)
                    return problem;
                action = new ViaAction(argument);
            }
            else if (verb.SequenceEqual("outbound") && argument is not null)
            {
                if (OutboundName.Validate(argument) is { } problem)
                    return problem;
                action = new OutboundAction(argument);
            }
            else
                return $"'{line[fields[2].Start.Value..]}': the action is via IFACE, reject or outbound NAME";
            actions[actionText.ToString()] = action;
        }
        if (next == 2 && destination is AnyDestination)
            return "any * needs a condition (port, protocol or source)";
        rule = next == 2 ? new Rule(destination, action) { Location = location } : Rule.Create(destination, action, conditions.Build(), location);
        return null;
    }
}
