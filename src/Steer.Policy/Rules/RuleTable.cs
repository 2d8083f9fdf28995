using Steer.Policy.Names;

namespace Steer.Policy.Rules;

/// <summary>
/// The rules of a <see cref="RuleSet"/> by index, kept small: a plain name or suffix rule (the
/// million-entry case) is stored as its trie node, its action's number and its location's line
/// and column — 22 bytes instead of a rule object, a destination object and a name string
/// (about 150). <see cref="this[int]"/> rebuilds it; the name comes back from the trie.
/// Every other rule (networks, conditions, anything unusual) is kept as given.
/// </summary>
/// <remarks>
/// <para>A rebuilt rule equals the one given (record equality) and has the same location.</para>
/// <para><see cref="this[int]"/> returns a new object each time and keeps nothing, so walking
/// all the rules (NamePlane, <c>steer rule list</c>) does not grow the set back to full size.
/// <see cref="Shared"/> keeps what it rebuilds, for the resolver's lookups: after the first
/// query for a rule, matching it allocates nothing.</para>
/// <para>Filled by one thread while the set is built; read by any number after.</para>
/// </remarks>
internal sealed class RuleTable : IReadOnlyList<Rule>
{
    // 16 Ki entries a page: 128 KiB of references, 64 KiB of ints.
    private const int PageShift = 14;
    private const int ExactBit = 1;
    private const int ActionShift = 1;
    private const int ActionMask = 0x7FFF;
    private const int FileShift = 16;

    private readonly DomainTrie _names;
    // A rule kept whole, or one rebuilt by Shared; null for a compact rule not asked for yet.
    private readonly PagedArray<Rule?> _whole = new(PageShift);
    private readonly PagedArray<int> _nodes = new(PageShift);
    // Compact rules: exact bit, action number, file number (0: no location).
    private readonly PagedArray<int> _kinds = new(PageShift);
    private readonly PagedArray<int> _lines = new(PageShift);
    private readonly PagedArray<ushort> _columns = new(PageShift);
    private readonly List<RuleAction> _actions = [];
    private readonly Dictionary<RuleAction, int> _actionNumbers = [];
    private readonly List<string> _files = [];
    private readonly Dictionary<string, int> _fileNumbers = new(StringComparer.Ordinal);

    public RuleTable(DomainTrie names) => _names = names;

    public int Length { get; private set; }

    /// <summary>Adds a rule at index <see cref="Length"/>, with its trie node (<see cref="DomainTrie.None"/>
    /// for a network rule).</summary>
    public void Add(Rule rule, int node)
    {
        var index = Length;
        _whole.EnsureCapacity(index + 1);
        _nodes.EnsureCapacity(index + 1);
        _kinds.EnsureCapacity(index + 1);
        _lines.EnsureCapacity(index + 1);
        _columns.EnsureCapacity(index + 1);
        _nodes[index] = node;
        if (Compact(rule, node) is { } kind)
        {
            _kinds[index] = kind;
            _lines[index] = rule.Location?.Line ?? 0;
            _columns[index] = (ushort)(rule.Location?.Column ?? 0);
        }
        else
            _whole[index] = rule;
        Length = index + 1;
    }

    /// <summary>The rule at an index, rebuilt if it was stored compact (a new object each time).</summary>
    public Rule this[int index] => _whole[CheckIndex(index)] ?? Rebuild(index);

    /// <summary>The rule at an index, rebuilt at most once and kept: allocation-free after the first call.</summary>
    public Rule Shared(int index)
    {
        ref var slot = ref _whole[CheckIndex(index)];
        return Volatile.Read(ref slot) ?? Interlocked.CompareExchange(ref slot, Rebuild(index), null) ?? slot!;
    }

    /// <summary>The trie node of the rule's name (<see cref="DomainTrie.None"/> for other rules).</summary>
    public int NodeOf(int index) => _nodes[CheckIndex(index)];

    public int Count => Length;

    public IEnumerable<Rule> All()
    {
        for (var i = 0; i < Length; i++)
            yield return this[i];
    }

    public IEnumerator<Rule> GetEnumerator() => All().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The compact form's kind word, or null when the rule must be kept whole: anything but
    /// a plain name or suffix rule (the exact type: a subclass may carry more), or more distinct
    /// actions or files than the word holds, or a column past 65535.</summary>
    private int? Compact(Rule rule, int node)
    {
        if (rule.GetType() != typeof(Rule) || node == DomainTrie.None || rule.Destination is not (DomainDestination or NameDestination))
            return null;
        var file = 0;
        if (rule.Location is { } location)
        {
            if (location.Column is < 0 or > ushort.MaxValue || !TryNumber(_fileNumbers, _files, location.File, ushort.MaxValue - 1, out file))
                return null;
            file++;
        }
        if (!TryNumber(_actionNumbers, _actions, rule.Action, ActionMask, out var action))
            return null;
        return (file << FileShift) | (action << ActionShift) | (rule.Destination is NameDestination ? ExactBit : 0);
    }

    private static bool TryNumber<T>(Dictionary<T, int> numbers, List<T> values, T value, int max, out int number)
        where T : notnull
    {
        if (numbers.TryGetValue(value, out number))
            return true;
        if (values.Count > max)
            return false;
        number = values.Count;
        numbers.Add(value, number);
        values.Add(value);
        return true;
    }

    private Rule Rebuild(int index)
    {
        var kind = _kinds[index];
        var name = DomainName.FromNormalised(_names.NameOf(_nodes[index]));
        Destination destination = (kind & ExactBit) != 0 ? new NameDestination(name) : new DomainDestination(name);
        var file = kind >>> FileShift;
        return new Rule(destination, _actions[(kind >> ActionShift) & ActionMask])
        {
            Location = file == 0 ? null : new SourceLocation(_files[file - 1], _lines[index], _columns[index]),
        };
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)Length ? index : throw new ArgumentOutOfRangeException(nameof(index));
}
