using System.Runtime.CompilerServices;

namespace Steer.Policy.Rules;

/// <summary>
/// Names as paths of labels from the top ("com" → "example" → "www"), each node holding the index of
/// at most one exact-name rule and one suffix rule. Answers both questions of a name lookup in one
/// walk: the exact rule for the whole name and the deepest suffix rule on the way.
/// </summary>
/// <remarks>
/// <para>Built to hold a million suffixes in little memory (bench/rules): a node is a few entries
/// in parallel arrays of ints — no object per node or per edge — and its label is kept once, as
/// ASCII bytes in one shared pool (normalised names are ASCII: international labels are in their
/// xn-- form). The edges are a hash from (parent, label) to child, chained through the nodes
/// themselves, so an edge costs one int beside the node. Because the trie holds every label, it
/// can give a name back (<see cref="NameOf"/>): the rule set keeps no string per rule.</para>
/// <para>About 25 bytes per node plus its label, against about 100 with a
/// <c>Dictionary&lt;(int, string slice), int&gt;</c> and three <c>List&lt;int&gt;</c>.</para>
/// <para>Lookups allocate nothing and ignore ASCII case, since DNS compares names
/// case-insensitively and resolvers randomise case (0x20 encoding). Reads may run on any number of
/// threads once the trie is built; building is single-threaded.</para>
/// </remarks>
internal sealed class DomainTrie
{
    public const int None = -1;
    private const int Root = 0;
    // Bucket and chain entries hold node ids; the root is never a child, so 0 ends a chain.
    private const int EndOfChain = 0;

    private int[] _parents;
    private int[] _exactRules;
    private int[] _suffixRules;
    private int[] _labelStarts;
    private byte[] _labelLengths;
    private int[] _nextInBucket;
    private int[] _buckets;
    private byte[] _labels;
    private int _labelBytes;
    private int _count;

    /// <param name="capacity">Expected number of nodes, to size the arrays once. They grow by half
    /// when it is passed: one array at a time, so the extra memory while growing stays small.</param>
    public DomainTrie(int capacity = 0)
    {
        capacity = Math.Max(capacity + 1, 16);
        _parents = new int[capacity];
        _exactRules = new int[capacity];
        _suffixRules = new int[capacity];
        _labelStarts = new int[capacity];
        _labelLengths = new byte[capacity];
        _nextInBucket = new int[capacity];
        _buckets = new int[BucketCountFor(capacity)];
        // Labels in big lists average 7 to 10 characters.
        _labels = new byte[Math.Min((long)capacity * 8, Array.MaxLength)];
        _parents[Root] = None;
        _exactRules[Root] = None;
        _suffixRules[Root] = None;
        _count = 1;
    }

    public int NodeCount => _count;

    /// <summary>Bytes held by the arrays (capacity, not use): for bench/rules and tests.</summary>
    public long AllocatedBytes =>
        (long)_parents.Length * (4 * 5 + 1) + (long)_buckets.Length * 4 + _labels.Length;

    /// <summary>The node for a normalised name (lowercase ASCII, no trailing dot, no empty labels),
    /// created as needed.</summary>
    /// <exception cref="ArgumentException">Not ASCII, an empty label or a label over 255 characters:
    /// never a normalised name.</exception>
    public int GetOrAdd(ReadOnlySpan<char> name)
    {
        if (!System.Text.Ascii.IsValid(name))
            throw new ArgumentException("a normalised name is ASCII", nameof(name));
        var node = Root;
        var end = name.Length;
        while (end > 0)
        {
            var dot = name[..end].LastIndexOf('.');
            var label = name[(dot + 1)..end];
            if (label.IsEmpty || label.Length > byte.MaxValue)
                throw new ArgumentException($"'{name}' has an empty or oversized label", nameof(name));
            var hash = Hash(node, label);
            var child = FindChild(node, label, hash);
            node = child != None ? child : AddChild(node, label, hash);
            end = Math.Max(dot, 0);
        }
        return node;
    }

    /// <summary>The exact-name rule slot of a node (<see cref="None"/> when empty).</summary>
    public ref int ExactRule(int node) => ref _exactRules[CheckNode(node)];

    /// <summary>The suffix rule slot of a node (<see cref="None"/> when empty).</summary>
    public ref int SuffixRule(int node) => ref _suffixRules[CheckNode(node)];

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
            node = FindChild(node, label, Hash(node, label));
            if (node == None)
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
        for (node = _parents[CheckNode(node)]; node != None; node = _parents[node])
        {
            if (_suffixRules[node] != None)
                return _suffixRules[node];
        }
        return None;
    }

    /// <summary>The name a node stands for, as it was added (lowercase): "www.example.com".</summary>
    public string NameOf(int node)
    {
        if (CheckNode(node) == Root)
            return "";
        var length = -1;
        for (var n = node; n != Root; n = _parents[n])
            length += _labelLengths[n] + 1;
        return string.Create(length, (this, node), static (span, state) =>
        {
            var (trie, n) = state;
            var at = 0;
            for (; n != Root; n = trie._parents[n])
            {
                if (at > 0)
                    span[at++] = '.';
                foreach (var b in trie.Label(n))
                    span[at++] = (char)b;
            }
        });
    }

    private ReadOnlySpan<byte> Label(int node) => _labels.AsSpan(_labelStarts[node], _labelLengths[node]);

    private int CheckNode(int node) =>
        (uint)node < (uint)_count ? node : throw new ArgumentOutOfRangeException(nameof(node));

    private int FindChild(int parent, ReadOnlySpan<char> label, uint hash)
    {
        for (var n = _buckets[hash & (uint)(_buckets.Length - 1)]; n != EndOfChain; n = _nextInBucket[n])
        {
            if (_parents[n] == parent && _labelLengths[n] == label.Length && EqualsIgnoringCase(Label(n), label))
                return n;
        }
        return None;
    }

    private int AddChild(int parent, ReadOnlySpan<char> label, uint hash)
    {
        if (_count == _parents.Length)
            GrowNodes();
        if (_labelBytes + label.Length > _labels.Length)
            _labels = Grown(_labels, _labelBytes + label.Length);
        var node = _count++;
        _parents[node] = parent;
        _exactRules[node] = None;
        _suffixRules[node] = None;
        _labelStarts[node] = _labelBytes;
        _labelLengths[node] = (byte)label.Length;
        foreach (var c in label)
            _labels[_labelBytes++] = (byte)char.ToLowerInvariant(c);
        if (_count > _buckets.Length)
            Rehash(_buckets.Length * 2);
        else
        {
            ref var bucket = ref _buckets[hash & (uint)(_buckets.Length - 1)];
            _nextInBucket[node] = bucket;
            bucket = node;
        }
        return node;
    }

    private void GrowNodes()
    {
        var size = _count + 1;
        _parents = Grown(_parents, size);
        _exactRules = Grown(_exactRules, size);
        _suffixRules = Grown(_suffixRules, size);
        _labelStarts = Grown(_labelStarts, size);
        _labelLengths = Grown(_labelLengths, size);
        _nextInBucket = Grown(_nextInBucket, size);
    }

    /// <summary>By half again: with a million names, doubling would leave up to half of every array unused.</summary>
    private static T[] Grown<T>(T[] array, int atLeast)
    {
        var size = (int)Math.Min(Math.Max(atLeast, array.Length + array.Length / 2 + 16), Array.MaxLength);
        if (size < atLeast)
            throw new InvalidOperationException("the domain trie is full");
        var grown = new T[size];
        array.AsSpan().CopyTo(grown);
        return grown;
    }

    private void Rehash(int bucketCount)
    {
        _buckets = new int[bucketCount];
        var mask = (uint)(bucketCount - 1);
        for (var n = 1; n < _count; n++)
        {
            ref var bucket = ref _buckets[Hash(_parents[n], Label(n)) & mask];
            _nextInBucket[n] = bucket;
            bucket = n;
        }
    }

    private static int BucketCountFor(int nodes) => (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)nodes), 1u << 30);

    private static bool EqualsIgnoringCase(ReadOnlySpan<byte> stored, ReadOnlySpan<char> label)
    {
        for (var i = 0; i < stored.Length; i++)
        {
            if (stored[i] != Lower(label[i]))
                return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Lower(char c) => c - 'A' <= 'Z' - 'A' ? (uint)(c | 0x20) : c;

    // FNV-1a over the lowercased label, seeded with the parent: both parts matter, since node ids
    // and label texts alone repeat a lot ("www" under every parent). The two overloads agree on
    // ASCII, which is all a stored label holds.
    private static uint Hash(int parent, ReadOnlySpan<char> label)
    {
        var hash = ((uint)parent * 0x9E3779B1u) ^ 2166136261u;
        foreach (var c in label)
            hash = (hash ^ Lower(c)) * 16777619u;
        return Finish(hash);
    }

    private static uint Hash(int parent, ReadOnlySpan<byte> label)
    {
        var hash = ((uint)parent * 0x9E3779B1u) ^ 2166136261u;
        foreach (var b in label)
            hash = (hash ^ b) * 16777619u;
        return Finish(hash);
    }

    // FNV's low bits, which pick the bucket, mix poorly on their own: MurmurHash3's finaliser.
    private static uint Finish(uint hash)
    {
        hash = (hash ^ (hash >> 16)) * 0x85EBCA6Bu;
        hash = (hash ^ (hash >> 13)) * 0xC2B2AE35u;
        return hash ^ (hash >> 16);
    }
}
