using Steer.Policy.Configuration.Yaml;

namespace Steer.Policy.Configuration.Reading;

/// <summary>
/// Reading one file: collects every error and warning with its location, and offers the typed reads
/// every section needs, each of which reports "expected X, got Y" at the node and returns null (so
/// the caller can carry on and find the next error).
/// </summary>
internal sealed class ReadContext(string file)
{
    public string File { get; } = file;

    public List<ConfigDiagnostic> Errors { get; } = [];

    public List<ConfigDiagnostic> Warnings { get; } = [];

    public void Error(Node node, string message) => Error(node.Location, message);

    public void Error(SourceLocation location, string message) =>
        Errors.Add(new ConfigDiagnostic(location, DiagnosticSeverity.Error, message));

    public void Warn(SourceLocation location, string message) =>
        Warnings.Add(new ConfigDiagnostic(location, DiagnosticSeverity.Warning, message));

    /// <summary>A mapping whose keys are all among <paramref name="keys"/>; unknown keys are reported
    /// (with the likely intended one) but do not stop the known ones from being read.</summary>
    /// <param name="what">What the mapping is, for messages: "dns", "an uplink", "proxy.tproxy".</param>
    public MapNode? Mapping(Node node, string what, IReadOnlyList<string> keys)
    {
        if (node is not MapNode map)
        {
            Error(node, $"{what}: expected a mapping (key: value), got {node.Describe()}");
            return null;
        }
        foreach (var (key, _) in map.Entries)
        {
            if (!keys.Contains(key.Value))
                Error(key, $"unknown key '{key.Value}' in {what}{Suggestions.DidYouMean(key.Value, keys)} (valid keys: {string.Join(", ", keys)})");
        }
        return map;
    }

    /// <summary>The items of a list; nothing (an empty value) counts as an empty list.</summary>
    public IReadOnlyList<Node> List(Node node, string what)
    {
        switch (node)
        {
            case ListNode list:
                return list.Items;
            case ScalarNode { IsNull: true }:
                return [];
            default:
                Error(node, $"{what}: expected a list (lines starting with '- ', or [a, b]), got {node.Describe()}");
                return [];
        }
    }

    /// <summary>A single value as text.</summary>
    /// <param name="expected">What a valid value looks like: "an interface name", "ADDRESS:PORT".</param>
    public string? Text(Node node, string what, string expected)
    {
        if (node is ScalarNode { IsNull: false } scalar)
            return scalar.Value;
        Error(node, $"{what}: expected {expected}, got {node.Describe()}");
        return null;
    }

    /// <summary>A required key's value; reports the key as missing at the mapping.</summary>
    public Node? Required(MapNode map, string key, string what, string expected)
    {
        var node = map[key];
        // A misspelt key ("Interface") has been reported with "did you mean"; saying it is missing too is noise.
        var misspelt = map.Entries.Any(e => e.Key.Value != key && Suggestions.Nearest(e.Key.Value, [key]) == key);
        if (node is null && !misspelt)
            Error(map, $"{what}: '{key}' is missing ({expected})");
        return node;
    }

    /// <summary>Applies a value grammar (returning null or the problem) and reports its problem at the node.</summary>
    public bool Parse<T>(Node node, string what, string expected, ParseValue<T> parse, out T value)
    {
        value = default!;
        var text = Text(node, what, expected);
        if (text is null)
            return false;
        var problem = parse(text, out value);
        if (problem is not null)
            Error(node, $"{what}: {problem}");
        return problem is null;
    }

    /// <summary>A Linux interface name.</summary>
    public string? InterfaceName(Node node, string what)
    {
        var name = Text(node, what, "an interface name such as eth0 or wg0");
        if (name is null)
            return null;
        var problem = Names.InterfaceName.Validate(name);
        if (problem is null)
            return name;
        Error(node, $"{what}: {problem}");
        return null;
    }

    /// <summary>A network (or a single address as /32, /128); host bits set earn a warning, not an error.</summary>
    public Cidr? Network(Node node, string what)
    {
        var text = Text(node, what, "a network such as 10.8.0.0/16, or an address");
        if (text is null)
            return null;
        if (!Cidr.TryParse(text, out var cidr, out var error, out var hostBitsWereSet))
        {
            Error(node, $"{what}: {error}");
            return null;
        }
        if (hostBitsWereSet)
            Warn(node.Location, $"{what}: {text} has host bits set; it means {cidr}");
        return cidr;
    }

    /// <summary>One of a fixed set of words.</summary>
    public string? Choice(Node node, string what, IReadOnlyList<string> choices)
    {
        var text = Text(node, what, $"one of: {string.Join(", ", choices)}");
        if (text is null || choices.Contains(text))
            return text;
        Error(node, $"{what}: '{text}' is not one of: {string.Join(", ", choices)}{Suggestions.DidYouMean(text, choices)}");
        return null;
    }
}

internal delegate string? ParseValue<T>(string text, out T value);
