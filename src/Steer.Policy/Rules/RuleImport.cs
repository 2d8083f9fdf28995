using Steer.Policy.Names;

namespace Steer.Policy.Rules;

/// <summary>
/// Reads a list of domains for <c>steer rule import FILE IFACE</c>: one name per line, <c>#</c>
/// comments, and the domain lines of dnsmasq configurations — <c>server=/a.com/b.org/10.0.0.1</c>,
/// <c>nftset=/a.com/4#inet#fw#set</c>, <c>ipset=/a.com/set</c> and <c>address=/a.com/…</c> name
/// domains between slashes, each one a suffix rule. A file with such lines is read as a dnsmasq
/// configuration: its other lines (<c>cache-size=1000</c>, <c>no-resolv</c>) carry no domain and
/// are skipped, so a whole dnsmasq.conf can be imported as it is; a bare line with a dot in it
/// is still a name, so a list with a few dnsmasq lines mixed in loses none of its names.
/// </summary>
public static class RuleImport
{
    private static readonly string[] DnsmasqDomainKeys = ["server", "local", "nftset", "ipset", "address", "rebind-domain-ok"];

    /// <summary>The rules in the text, in order, duplicates dropped; or every bad line as
    /// "FILE:LINE: problem" (nothing is returned then: an import is all or nothing).</summary>
    /// <exception cref="FormatException">One line per problem.</exception>
    public static IReadOnlyList<Rule> Parse(TextReader reader, string fileName, RuleAction action)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(action);
        var rules = new List<Rule>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();
        var lines = new List<string>();
        while (reader.ReadLine() is { } read)
            lines.Add(read);
        bool dnsmasq = lines.Any(l => l.Contains("=/", StringComparison.Ordinal));
        int lineNumber = 0;
        foreach (var line in lines)
        {
            lineNumber++;
            var names = NamesOn(line, dnsmasq, out var problem);
            foreach (var name in names)
            {
                if (!DomainName.TryParse(name, out var domain, out var error))
                    errors.Add($"{fileName}:{lineNumber}: {name}: {error}");
                else if (seen.Add(domain.Value))
                    rules.Add(new Rule(new DomainDestination(domain), action) { Location = new SourceLocation(fileName, lineNumber, 1) });
            }
            if (problem is not null)
                errors.Add($"{fileName}:{lineNumber}: {problem}");
        }
        return errors.Count == 0 ? rules : throw new FormatException(string.Join('\n', errors));
    }

    private static IEnumerable<string> NamesOn(string line, bool dnsmasq, out string? problem)
    {
        problem = null;
        var content = line.AsSpan();
        if (content.IndexOf('#') is var hash and >= 0 && !content.TrimStart().StartsWith("nftset=", StringComparison.Ordinal))
            content = content[..hash]; // nftset values contain '#': 4#inet#table#set
        content = content.Trim();
        if (content.IsEmpty)
            return [];
        int equals = content.IndexOf('=');
        if (equals < 0)
        {
            // dnsmasq flags (no-resolv, bogus-priv) never hold a dot; a name always does (a
            // one-label name would be a TLD rule, rare enough to need a plain list).
            if (dnsmasq && !content.Contains('.'))
                return []; // a dnsmasq flag such as no-resolv
            if (content.ContainsAny(' ', '\t'))
            {
                problem = $"'{content}' is not one domain name per line";
                return [];
            }
            return [content.ToString()];
        }
        var key = content[..equals].Trim().ToString();
        var value = content[(equals + 1)..].Trim();
        if (!DnsmasqDomainKeys.Contains(key) || value.IsEmpty || value[0] != '/')
            return []; // a dnsmasq option without domains
        // /a.com/b.org/VALUE: the names sit between the first and the last slash.
        int last = value.LastIndexOf('/');
        if (last == 0)
        {
            problem = $"{key}= has no closing '/' after its domains";
            return [];
        }
        var names = value[1..last].ToString().Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
            problem = $"{key}=// names no domain (dnsmasq's 'unqualified names' form cannot be a rule)";
        return names;
    }
}
