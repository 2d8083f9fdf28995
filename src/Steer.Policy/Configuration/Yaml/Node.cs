namespace Steer.Policy.Configuration.Yaml;

/// <summary>
/// The YAML document as Steer reads it: mappings, lists and text values, each knowing where it
/// was written. Values stay text; each key decides how to read its value (a port, an address…), so
/// YAML's own typing ("no" is false, 010 is octal) never changes what a user wrote.
/// </summary>
internal abstract class Node(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>How to name what was found, in "expected X, got Y" messages.</summary>
    public abstract string Describe();
}

internal sealed class ScalarNode(SourceLocation location, string value, bool isPlain) : Node(location)
{
    public string Value { get; } = value;

    /// <summary>False for quoted text: "null" in quotes is the word, not nothing.</summary>
    public bool IsPlain { get; } = isPlain;

    /// <summary>YAML's spellings of "no value": an empty plain value, ~ and null.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "nothing" : $"'{Value}'";
}

internal sealed class ListNode(SourceLocation location, IReadOnlyList<Node> items) : Node(location)
{
    public IReadOnlyList<Node> Items { get; } = items;

    public override string Describe() => "a list";
}

internal sealed class MapNode(SourceLocation location, IReadOnlyList<KeyValuePair<ScalarNode, Node>> entries) : Node(location)
{
    public IReadOnlyList<KeyValuePair<ScalarNode, Node>> Entries { get; } = entries;

    public Node? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    public bool Has(string key) => this[key] is not null;

    public override string Describe() => "a mapping";
}
