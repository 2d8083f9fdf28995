using System.Runtime.InteropServices;

namespace Steer.Policy.Rules;

/// <summary>
/// Names as paths of labels from the top ("com" → "example" → "www"), each node holding the index of
/// at most one exact-name rule and one suffix rule. Answers both questions of a name lookup in one
/// walk: the exact rule for the whole name and the deepest suffix rule on the way.
/// </summary>
/// <remarks>
/// Built to hold a million suffixes in little memory: a node is three ints in parallel lists, and all
/// edges live in one hash from (parent node, label) to child node, where the label is a slice of the
/// name that created the edge — a string the rule holds anyway — so no label is copied. Lookups
/// allocate nothing and ignore ASCII case, since DNS compares names case-insensitively and resolvers
/// randomise case (0x20 encoding).
/// </remarks>
internal sealed class DomainTrie
{
    public const int None = -1;
    private const int Root = 0;

    private readonly Dictionary<Edge, int> _children;
    private readonly Dictionary<Edge, int>.AlternateLookup<EdgeProbe> _childrenByProbe;
    private readonly List<int> _parents;
    private readonly List<int> _exactRules;
    private readonly List<int> _suffixRules;

    /// <param name="capacity">Expected number of names, to size the edge table and the node
    /// lists once: growing them by doubling would briefly hold twice a million entries.</param>
    public DomainTrie(int capacity = 0)
    {
        _parents = new List<int>(capacity + 1) { None };
        _exactRules = new List<int>(capacity + 1) { None };
        _suffixRules = new List<int>(capacity + 1) { None };
        _children = new Dictionary<Edge, int>(capacity, EdgeComparer.Instance);
        _childrenByProbe = _children.GetAlternateLookup<EdgeProbe>();
    }

    public int NodeCount => _parents.Count;

    /// <summary>The node for a normalised name (no trailing dot, no empty labels), created as needed.</summary>
    public int GetOrAdd(string name)
    {
        if (name.Length > ushort.MaxValue)
            throw new ArgumentException("name too long", nameof(name));
        var node = Root;
        var end = name.Length;
        while (end > 0)
        {
            var dot = name.AsSpan(0, end).LastIndexOf('.');
            var start = dot + 1;
            if (!_childrenByProbe.TryGetValue(new EdgeProbe(node, name.AsSpan(start, end - start)), out var child))
            {
                child = _parents.Count;
                _children.Add(new Edge(name, node, (ushort)start, (ushort)(end - start)), child);
                _parents.Add(node);
                _exactRules.Add(None);
                _suffixRules.Add(None);
            }
            node = child;
            end = Math.Max(dot, 0);
        }
        return node;
    }

    /// <summary>The exact-name rule slot of a node (<see cref="None"/> when empty).</summary>
    public ref int ExactRule(int node) => ref CollectionsMarshal.AsSpan(_exactRules)[node];

    /// <summary>The suffix rule slot of a node (<see cref="None"/> when empty).</summary>
    public ref int SuffixRule(int node) => ref CollectionsMarshal.AsSpan(_suffixRules)[node];

    /// <summary>
    /// Walks the name from its last label. One trailing dot is allowed; a name with an empty label
    /// matches nothing.
    /// </summary>
    /// <returns>The exact rule of the whole name and the deepest suffix rule, each or <see cref="None"/>.</returns>
    public (int ExactRule, int SuffixRule) Find(ReadOnlySpan<char> name)
    {
        if (name.EndsWith('.'))
            name = name[..^1];
        var deepestSuffix = None;
        var node = Root;
        var end = name.Length;
        while (true)
        {
            var dot = name[..end].LastIndexOf('.');
            var label = name[(dot + 1)..end];
            if (label.IsEmpty)
                return (None, None);
            if (!_childrenByProbe.TryGetValue(new EdgeProbe(node, label), out node))
                return (None, deepestSuffix);
            if (_suffixRules[node] != None)
                deepestSuffix = _suffixRules[node];
            if (dot < 0)
                return (_exactRules[node], deepestSuffix);
            end = dot;
        }
    }

    /// <summary>The nearest suffix rule strictly above a node: the rule the node's own rules override.</summary>
    public int NearestSuffixRuleAbove(int node)
    {
        for (node = _parents[node]; node != None; node = _parents[node])
        {
            if (_suffixRules[node] != None)
                return _suffixRules[node];
        }
        return None;
    }

    /// <summary>An edge: parent node and the label, as a slice of some name. 16 bytes.</summary>
    private readonly struct Edge(string source, int parent, ushort start, ushort length)
    {
        public readonly string Source = source;
        public readonly int Parent = parent;
        public readonly ushort Start = start;
        public readonly ushort Length = length;

        public ReadOnlySpan<char> Label => Source.AsSpan(Start, Length);
    }

    /// <summary>The lookup form of an edge: a label straight from the caller's span.</summary>
    private readonly ref struct EdgeProbe(int parent, ReadOnlySpan<char> label)
    {
        public readonly int Parent = parent;
        public readonly ReadOnlySpan<char> Label = label;
    }

    private sealed class EdgeComparer : IEqualityComparer<Edge>, IAlternateEqualityComparer<EdgeProbe, Edge>
    {
        public static EdgeComparer Instance { get; } = new();

        public bool Equals(Edge x, Edge y) => x.Parent == y.Parent && x.Label.Equals(y.Label, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(Edge edge) => Hash(edge.Parent, edge.Label);

        public bool Equals(EdgeProbe probe, Edge edge) =>
            probe.Parent == edge.Parent && probe.Label.Equals(edge.Label, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(EdgeProbe probe) => Hash(probe.Parent, probe.Label);

        // Edges are only ever added with their owning string, never created from a probe.
        public Edge Create(EdgeProbe probe) => throw new NotSupportedException();

        // Both parts matter: node ids and label texts alone repeat a lot ("www" under every parent).
        private static int Hash(int parent, ReadOnlySpan<char> label) =>
            HashCode.Combine(parent, string.GetHashCode(label, StringComparison.OrdinalIgnoreCase));
    }
}
