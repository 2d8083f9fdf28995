using System.Runtime.CompilerServices;

namespace Steer.Policy.Rules;

/// <summary>
/// Names as paths of labels from the top ("com" → "example" → "www"), each node holding the index of
/// at most one exact-name rule and one suffix rule. Answers both questions of a name lookup in one
/// walk: the exact rule for the whole name and the deepest suffix rule on the way.
/// </summary>
/// <remarks>
/// <para>Built to hold a million suffixes in little memory (bench/rules): a node is a 20-byte
/// struct in paged arrays (<see cref="PagedArray{T}"/>: growing copies nothing and leaves no
/// unused half) — no object per node or per edge — and its label is kept once, as ASCII bytes
/// in one shared pool (normalised names are ASCII: international labels are in their xn-- form).
/// The edges are a hash from (parent, label) to child, chained through the nodes themselves, so
/// an edge costs one int in the node and about one in the bucket array. Because the trie holds
/// every label, it can give a name back (<see cref="NameOf"/>): the rule set keeps no string per
/// rule.</para>
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
    // 64 Ki nodes (1.25 MiB) and 64 KiB of labels a page.
    private const int PageShift = 16;

    private readonly PagedArray<Node> _nodes = new(PageShift);
    // Each label as its length byte, then its lowercase ASCII bytes; a label never straddles a page.
    private readonly PagedArray<byte> _labels = new(PageShift);
    private int[] _buckets;
    private int _labelBytes;
    private int _count;

    /// <param name="capacity">Expected number of nodes: sizes the bucket array, which is the one
    /// part that grows by copying (doubling, when the nodes outnumber the buckets by half).</param>
    public DomainTrie(int capacity = 0)
    {
        _buckets = new int[BucketCountFor(Math.Max(capacity, 16))];
        _nodes.EnsureCapacity(1);
        _nodes[Root] = new Node { Parent = None, ExactRule = None, SuffixRule = None };
        _count = 1;
    }

    public int NodeCount => _count;

    /// <summary>Bytes held by the arrays (capacity, not use): for bench/rules and tests.</summary>
    public long AllocatedBytes =>
        _nodes.Capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<Node>() + (long)_buckets.Length * 4 + _labels.Capacity;

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
        // Below a node made by this call there is nothing to find: in a big list most names add
        // a node or two, and skipping the search saves a cache miss each.
        var fresh = false;
        while (end > 0)
        {
            var dot = name[..end].LastIndexOf('.');
            var label = name[(dot + 1)..end];
            if (label.IsEmpty || label.Length > byte.MaxValue)
                throw new ArgumentException($"'{name}' has an empty or oversized label", nameof(name));
            var hash = Hash(node, label);
            var child = fresh ? None : FindChild(node, label, hash);
            if (child == None)
            {
                child = AddChild(node, label, hash);
                fresh = true;
            }
            node = child;
            end = Math.Max(dot, 0);
        }
        return node;
    }

    /// <summary>The exact-name rule slot of a node (<see cref="None"/> when empty).</summary>
    public ref int ExactRule(int node) => ref _nodes[CheckNode(node)].ExactRule;

    /// <summary>The suffix rule slot of a node (<see cref="None"/> when empty).</summary>
    public ref int SuffixRule(int node) => ref _nodes[CheckNode(node)].SuffixRule;

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
            ref var found = ref _nodes[node];
            if (found.SuffixRule != None)
                deepestSuffix = found.SuffixRule;
            if (dot < 0)
                return (found.ExactRule, deepestSuffix);
            end = dot;
        }
    }

    /// <summary>The nearest suffix rule strictly above a node: the rule the node's own rules override.</summary>
    public int NearestSuffixRuleAbove(int node)
    {
        for (node = _nodes[CheckNode(node)].Parent; node != None; node = _nodes[node].Parent)
        {
            if (_nodes[node].SuffixRule != None)
                return _nodes[node].SuffixRule;
        }
        return None;
    }

    /// <summary>The name a node stands for, as it was added (lowercase): "www.example.com".</summary>
    public string NameOf(int node)
    {
        if (CheckNode(node) == Root)
            return "";
        var length = -1;
        for (var n = node; n != Root; n = _nodes[n].Parent)
            length += Label(n).Length + 1;
        return string.Create(length, (this, node), static (span, state) =>
        {
            var (trie, n) = state;
            var at = 0;
            for (; n != Root; n = trie._nodes[n].Parent)
            {
                if (at > 0)
                    span[at++] = '.';
                foreach (var b in trie.Label(n))
                    span[at++] = (char)b;
            }
        });
    }

    private ReadOnlySpan<byte> Label(int node)
    {
        var stored = _labels.PageFrom(_nodes[node].Label);
        return stored.Slice(1, stored[0]);
    }

    private int CheckNode(int node) =>
        (uint)node < (uint)_count ? node : throw new ArgumentOutOfRangeException(nameof(node));

    private int FindChild(int parent, ReadOnlySpan<char> label, uint hash)
    {
        for (var n = _buckets[hash & (uint)(_buckets.Length - 1)]; n != EndOfChain;)
        {
            ref var candidate = ref _nodes[n];
            if (candidate.Parent == parent && EqualsIgnoringCase(Label(n), label))
                return n;
            n = candidate.NextInBucket;
        }
        return None;
    }

    private int AddChild(int parent, ReadOnlySpan<char> label, uint hash)
    {
        var node = _count;
        _nodes.EnsureCapacity(node + 1);
        // The label goes on the current page if it fits, else at the start of a new one.
        var pageLength = 1 << PageShift;
        if ((_labelBytes & (pageLength - 1)) + 1 + label.Length > pageLength)
            _labelBytes = (_labelBytes | (pageLength - 1)) + 1;
        _labels.EnsureCapacity(_labelBytes + 1 + label.Length);
        var stored = _labels.PageFrom(_labelBytes);
        stored[0] = (byte)label.Length;
        for (var i = 0; i < label.Length; i++)
            stored[1 + i] = (byte)Lower(label[i]);
        _nodes[node] = new Node { Parent = parent, ExactRule = None, SuffixRule = None, Label = _labelBytes };
        _labelBytes += 1 + label.Length;
        _count++;
        // Chains of up to 1.5 nodes on average: a node is compared by its parent first, which
        // rarely matches, so longer chains cost little and the bucket array stays small.
        if (_count > _buckets.Length + _buckets.Length / 2)
            Rehash(_buckets.Length * 2);
        else
        {
            ref var bucket = ref _buckets[hash & (uint)(_buckets.Length - 1)];
            _nodes[node].NextInBucket = bucket;
            bucket = node;
        }
        return node;
    }

    private void Rehash(int bucketCount)
    {
        _buckets = new int[bucketCount];
        var mask = (uint)(bucketCount - 1);
        for (var n = 1; n < _count; n++)
        {
            ref var node = ref _nodes[n];
            ref var bucket = ref _buckets[Hash(node.Parent, Label(n)) & mask];
            node.NextInBucket = bucket;
            bucket = n;
        }
    }

    private static int BucketCountFor(int nodes) => (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)nodes), 1u << 30);

    private static bool EqualsIgnoringCase(ReadOnlySpan<byte> stored, ReadOnlySpan<char> label)
    {
        if (stored.Length != label.Length)
            return false;
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

    /// <summary>One node: 20 bytes.</summary>
    private struct Node
    {
        public int Parent;
        public int ExactRule;
        public int SuffixRule;
        /// <summary>The next node in the same hash bucket (<see cref="EndOfChain"/> ends it).</summary>
        public int NextInBucket;
        /// <summary>Where the label is in the pool: its length byte, then its bytes.</summary>
        public int Label;
    }
}
