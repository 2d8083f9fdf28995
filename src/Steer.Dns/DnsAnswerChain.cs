namespace Steer.Dns;

/// <summary>An address an answer gives for a name of the chain, with the TTL of its record.</summary>
public readonly record struct DnsChainAddress(DnsName Owner, DnsAddress Address, uint Ttl);

/// <summary>
/// What an answer says about the name asked: every name of its CNAME chain (domain rules match
/// against each of them) and the A/AAAA addresses of the name(s) the chain ends in.
/// </summary>
/// <remarks>
/// <para>Records are matched by name, not position: CNAMEs may come in any order. Only records of the
/// answer section and of class IN count; addresses of names outside the chain (stray or injected
/// records) are ignored, and so are addresses at a name that also has a CNAME (RFC 2181 §10.1 forbids
/// that; the CNAME wins). A DNAME needs no handling: servers synthesise the CNAME it implies (RFC 6672).</para>
/// <para>A CNAME to a name already in the chain is not followed (<see cref="HasCycle"/>); a chain longer
/// than <see cref="DnsLimits.MaxChainNames"/> is cut (<see cref="IsCutShort"/>). Names of a cycle never end
/// the chain, so a looping answer yields no addresses for them.</para>
/// <para>An instance is meant to be reused: <see cref="Read"/> clears it first, and once its lists have
/// grown, reading an answer allocates only the names the CNAMEs lead to, and not even those when
/// one of the last <see cref="RecentTargets"/> CNAME targets it read was the same name (the
/// resolver's steady state: the same names answered again).</para>
/// </remarks>
public sealed class DnsAnswerChain
{
    private readonly List<DnsName> _names = new(4);
    private readonly List<DnsChainAddress> _addresses = new(8);
    // Bit i set: _names[i] has no CNAME, so the chain ends there. MaxChainNames (16) fits in the int.
    private int _endsMask;

    /// <summary>How many CNAME targets an instance remembers to reuse their <see cref="DnsName"/>.</summary>
    public const int RecentTargets = 32;

    // The last CNAME targets read, a ring: a target equal to one of them reuses it, no allocation.
    private readonly DnsName[] _recent = new DnsName[RecentTargets];
    private int _recentNext;

    /// <summary>The question name first, then each CNAME target in the order reached.</summary>
    public IReadOnlyList<DnsName> Names => _names;

    /// <summary>A/AAAA addresses of the names the chain ends in, in answer order.</summary>
    public IReadOnlyList<DnsChainAddress> Addresses => _addresses;

    /// <summary>The names the chain ends in (usually one: those of <see cref="Names"/> without a CNAME).</summary>
    public IEnumerable<DnsName> FinalNames => _names.Where((_, i) => (_endsMask & (1 << i)) != 0);

    /// <summary>The smallest TTL of the CNAMEs followed; <see cref="DnsTtl.Max"/> when there were none.</summary>
    public uint CnameTtl { get; private set; } = DnsTtl.Max;

    /// <summary>Some CNAME pointed back at a name already in the chain.</summary>
    public bool HasCycle { get; private set; }

    /// <summary>The chain had more than <see cref="DnsLimits.MaxChainNames"/> names; the rest were not followed.</summary>
    public bool IsCutShort { get; private set; }

    /// <summary>Reads a new chain.</summary>
    public static DnsAnswerChain Walk(DnsMessageView answer, DnsName question)
    {
        var chain = new DnsAnswerChain();
        chain.Read(answer, question);
        return chain;
    }

    /// <summary>Reads the chain of the answer's own (first) question; an answer without one gives an empty chain.</summary>
    /// <remarks>Allocates the question's name; a resolver that already holds it should pass it.</remarks>
    public void Read(DnsMessageView answer)
    {
        if (answer.TryGetQuestion(out var question))
            Read(answer, question.Name.ToDnsName());
        else
            Clear();
    }

    /// <summary>Forgets the previous answer and reads this one for <paramref name="question"/>.</summary>
    public void Read(DnsMessageView answer, DnsName question)
    {
        Clear();
        _names.Add(question);
        for (var i = 0; i < _names.Count; i++)
        {
            var hasCname = false;
            foreach (var record in answer.Answers)
            {
                if (record.Type != DnsType.CNAME || record.Class != DnsClass.IN || !record.Name.Matches(_names[i]))
                    continue;
                hasCname = true;
                CnameTtl = Math.Min(CnameTtl, record.Ttl);
                record.TryGetTarget(out var target);
                Follow(target);
            }
            if (!hasCname)
                _endsMask |= 1 << i;
        }

        foreach (var record in answer.Answers)
        {
            if (!record.TryGetAddress(out var address))
                continue;
            for (var i = 0; i < _names.Count; i++)
            {
                if ((_endsMask & (1 << i)) != 0 && record.Name.Matches(_names[i]))
                {
                    _addresses.Add(new DnsChainAddress(_names[i], address, record.Ttl));
                    break;
                }
            }
        }
    }

    public void Clear()
    {
        _names.Clear();
        _addresses.Clear();
        _endsMask = 0;
        CnameTtl = DnsTtl.Max;
        HasCycle = false;
        IsCutShort = false;
    }

    private void Follow(DnsWireName target)
    {
        foreach (var known in _names)
        {
            if (target.Matches(known))
            {
                HasCycle = true;
                return;
            }
        }
        if (_names.Count == DnsLimits.MaxChainNames)
        {
            IsCutShort = true;
            return;
        }
        _names.Add(Recent(target));
    }

    /// <summary>The target as a <see cref="DnsName"/>: one read before if it is remembered, else new.</summary>
    private DnsName Recent(DnsWireName target)
    {
        foreach (var known in _recent)
            if (!known.IsRoot && target.Matches(known))
                return known;
        var name = target.ToDnsName();
        _recent[_recentNext] = name;
        _recentNext = (_recentNext + 1) % RecentTargets;
        return name;
    }
}
