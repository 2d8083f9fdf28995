using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Steer.Policy.Configuration.Yaml;

/// <summary>
/// Builds the <see cref="Node"/> tree from YamlDotNet's parser events, which carry the line and
/// column of everything. Refuses what has no place in a configuration file — several documents,
/// aliases, tags, keys that are not plain text, the same key twice — with an error at the spot.
/// </summary>
/// <remarks>
/// The tree is built with an explicit stack, never by recursion, and nesting is capped, so no input
/// can exhaust the call stack (a stack overflow cannot be caught; it would kill the daemon).
/// </remarks>
internal static class YamlTreeReader
{
    /// <summary>Far deeper than any valid configuration (which needs five levels).</summary>
    public const int MaxDepth = 32;

    private const string StringTag = "tag:yaml.org,2002:str";

    /// <returns>The root, or null for an empty file or when an error stops reading.</returns>
    public static Node? Read(string text, string file, List<ConfigDiagnostic> errors)
    {
        var open = new Stack<Collection>();
        Node? root = null;
        var documents = 0;
        var parser = new Parser(new StringReader(text));
        var lastGood = new SourceLocation(file, 1, 1);
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                var at = Location(file, current.Start);
                lastGood = Location(file, current.End);
                string? problem = null;
                Node? complete = null;
                switch (current)
                {
                    case DocumentStart when documents > 0:
                        problem = "a second YAML document ('---'); steer.yaml holds one document";
                        break;
                    case DocumentStart:
                        documents++;
                        break;
                    case AnchorAlias alias:
                        problem = $"the alias *{alias.Value} is not supported; write the value out where it is needed";
                        break;
                    case NodeEvent node when !node.Tag.IsEmpty && node.Tag.Value != StringTag:
                        problem = $"the YAML tag {node.Tag.Value.Replace("tag:yaml.org,2002:", "!!", StringComparison.Ordinal)} is not supported; Steer reads every value by its key";
                        break;
                    case Scalar scalar:
                        complete = new ScalarNode(at, scalar.Value, scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty);
                        break;
                    case SequenceStart or MappingStart when open.Count >= MaxDepth:
                        problem = $"nested more than {MaxDepth} levels deep";
                        break;
                    case SequenceStart:
                        open.Push(new Collection(at, isMapping: false));
                        break;
                    case MappingStart:
                        open.Push(new Collection(at, isMapping: true));
                        break;
                    case SequenceEnd or MappingEnd:
                        complete = open.Pop().Build(errors);
                        break;
                }
                if (problem is not null)
                {
                    errors.Add(new ConfigDiagnostic(at, DiagnosticSeverity.Error, problem));
                    return null;
                }
                if (complete is null)
                    continue;
                if (open.Count == 0)
                    root = complete;
                else
                    open.Peek().Add(complete);
            }
        }
        catch (YamlException e)
        {
            errors.Add(new ConfigDiagnostic(Location(file, e.Start), DiagnosticSeverity.Error, $"not valid YAML: {WithoutMarks(e.Message)}"));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (" { - {" in a block mapping, found
            // by the property tests) instead of raising a YamlException. It is still bad YAML to the user;
            // the place is where the parser last understood the text.
            errors.Add(new ConfigDiagnostic(lastGood, DiagnosticSeverity.Error,
                $"not valid YAML after this point (the YAML parser gave up: {e.Message})"));
            return null;
        }
        return root;
    }

    private static SourceLocation Location(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    /// <summary>YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 1) - (Line: …): "; our location says that already.</summary>
    private static string WithoutMarks(string message)
    {
        var end = message.StartsWith("(Line:", StringComparison.Ordinal) ? message.IndexOf("): ", StringComparison.Ordinal) : -1;
        return end < 0 ? message : message[(end + 3)..];
    }

    /// <summary>A list or mapping being read; a mapping's items alternate key, value.</summary>
    private sealed class Collection(SourceLocation location, bool isMapping)
    {
        private readonly List<Node> _items = [];

        public void Add(Node node) => _items.Add(node);

        public Node Build(List<ConfigDiagnostic> errors)
        {
            if (!isMapping)
                return new ListNode(location, _items);
            var entries = new List<KeyValuePair<ScalarNode, Node>>();
            var seen = new Dictionary<string, ScalarNode>();
            for (var i = 0; i + 1 < _items.Count; i += 2)
            {
                if (_items[i] is not ScalarNode { IsNull: false } key)
                {
                    errors.Add(new ConfigDiagnostic(_items[i].Location, DiagnosticSeverity.Error,
                        $"a key must be a word, not {_items[i].Describe()}"));
                    continue;
                }
                if (seen.TryGetValue(key.Value, out var first))
                {
                    errors.Add(new ConfigDiagnostic(key.Location, DiagnosticSeverity.Error,
                        $"'{key.Value}' is given twice in this mapping (first at line {first.Location.Line}); keep one"));
                    continue;
                }
                seen.Add(key.Value, key);
                entries.Add(new(key, _items[i + 1]));
            }
            return new MapNode(location, entries);
        }
    }
}
