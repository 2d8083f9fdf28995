using System.Net;
using Steer.Linux.Netlink;
using Rule = Steer.Policy.Rules.Rule;
using Steer.Linux.SocketPlane;
using Steer.Dns;
using Steer.PassiveDns;
using Steer.Policy.Rules;

namespace Steer.Daemon;

/// <summary>
/// The name plane, as far as it is built: DNS answers seen on the host's interfaces (passive
/// learning) are matched against the rules, and the addresses of a name a rule sends through an
/// interface become decisions in the kernel, for the answer's TTL plus a grace period. The
/// resolver, which decides before it answers, will feed the same <see cref="Decide"/>.
/// </summary>
public sealed class NamePlane : IDisposable
{
    /// <summary>Decisions outlive the TTL a little: an application may connect just after the
    /// record expired from its own cache (steer.yaml dns.grace).</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(Steer.Policy.Configuration.DnsSettings.DefaultGraceSeconds);

    /// <summary>An index no interface has: binding to it fails, so the flow is refused. Used for
    /// `reject` rules and for rules whose interface does not exist (fail closed).</summary>
    public const int Refuse = int.MaxValue;

    private readonly DecisionMap _decisions;
    private readonly CidrRuleMap _cidrRules;
    private readonly NetlinkHandle _netlink;
    private readonly InterfaceIndexes _indexes;
    private readonly TextWriter _log;
    private readonly Lock _gate = new();
    private readonly Lock _netlinkGate = new();
    private readonly Lock _cidrGate = new();
    private HashSet<string> _cidrInterfaces = []; // the interfaces the CIDR rules in the kernel name
    private RuleSet _rules;
    private PassiveDnsListener? _listener;
    private long _answers, _written;
    private readonly AddressNameMap _names = new();

    public NamePlane(RuleSet rules, DecisionMap decisions, CidrRuleMap cidrRules, TextWriter log)
    {
        _decisions = decisions;
        _cidrRules = cidrRules;
        _log = log;
        _netlink = NetlinkHandle.Open();
        _rules = rules;
        try
        {
            _indexes = InterfaceIndexes.Follow(LookUpIndex, log);
            _indexes.Changed += OnInterfaceChanged;
            WriteCidrRules();
        }
        catch
        {
            _indexes?.Dispose();
            _netlink.Dispose();
            throw;
        }
    }

    public RuleSet Rules => Volatile.Read(ref _rules);

    public long AnswersSeen => Interlocked.Read(ref _answers);

    public long DecisionsWritten => Interlocked.Read(ref _written);

    /// <summary>How long writing one answer's decisions into the kernel took (the map updates
    /// alone): what decide-before-answer adds to the answer's latency (bench/resolver).</summary>
    public Steer.Resolver.LatencyHistogram MapUpdates { get; } = new();

    /// <summary>The CPU time of the same map updates (the thread's own time, not time spent
    /// preempted): their cost apart from the machine's load. Null unless the daemon runs with
    /// STEER_MEASURE_DECIDE_CPU=1 (bench/resolver sets it): reading the thread's CPU clock is
    /// two more system calls per answer.</summary>
    public Steer.Resolver.LatencyHistogram? MapUpdatesCpu { get; } =
        Environment.GetEnvironmentVariable("STEER_MEASURE_DECIDE_CPU") == "1" ? new() : null;

    /// <summary>With <see cref="MapUpdatesCpu"/>: the wall time of the first CPU clock read, a
    /// system call that does nothing, made just before the map update — the control: what any
    /// system call costs at that point on this machine, preemption and interrupts included.</summary>
    public Steer.Resolver.LatencyHistogram? NullSyscalls { get; } =
        Environment.GetEnvironmentVariable("STEER_MEASURE_DECIDE_CPU") == "1" ? new() : null;

    /// <summary>Starts learning from DNS answers on every interface of this namespace.</summary>
    public void StartPassiveLearning() =>
        _listener = PassiveDnsListener.Start(null, PassiveDnsOptions.Default with { IncludeLoopback = true }, OnAnswer);

    /// <summary>New rules; decisions already made stay until they expire.</summary>
    public void Apply(RuleSet rules)
    {
        lock (_gate)
            _rules = rules;
        WriteCidrRules();
    }

    /// <summary>CIDR rules go to the kernel as they are: an LPM trie the host programs consult
    /// for addresses without a decision of their own. Name rules never do (they are decided per
    /// answer), so a million suffix rules add nothing here.</summary>
    private void WriteCidrRules()
    {
        lock (_cidrGate)
            WriteCidrRulesLocked();
    }

    private void WriteCidrRulesLocked()
    {
        var found = new List<(Steer.Policy.Cidr Network, string? Interface, uint Id)>();
        foreach (var match in Rules.NetworkRules())
        {
            var rule = match.Rule;
            // Rules with port, protocol or source conditions are the proxy's (flow rules): the kernel
            // decides by address alone here. (NetworkRules holds none of them; checked all the same.)
            if (rule.Destination is not CidrDestination { Network: var network } || rule.Action is OutboundAction || rule.HasConditions)
                continue;
            found.Add((network, (rule.Action as ViaAction)?.Interface, match.Id));
        }
        // Named before their indexes are looked up: a link event from then on rewrites them.
        Volatile.Write(ref _cidrInterfaces, found.Where(f => f.Interface is not null).Select(f => f.Interface!).ToHashSet(StringComparer.Ordinal));
        _cidrRules.Replace([.. found.Select(f => (f.Network, f.Interface is null ? Refuse : IndexOf(f.Interface), f.Id))]);
    }

    /// <summary>Writes the decisions an answer calls for. The rule is matched against every
    /// name of the CNAME chain, the question first; the first name a rule covers decides.
    /// Returns how many addresses it decided (0: no rule covers the chain). Allocates nothing
    /// once the thread's scratch has grown and the answer's addresses and CNAME targets were
    /// seen before: names are matched as text in a scratch buffer, addresses go to the kernel
    /// and to the address → name map as values, and the map keeps the name it already holds.</summary>
    public int Decide(DnsMessageView answer, DnsName question)
    {
        var chain = DecideScratch.OfThread.Chain;
        chain.Read(answer, question);
        return Decide(chain.Names, chain.Addresses);
    }

    /// <summary><see cref="Decide(DnsMessageView, DnsName)"/> for a chain already read: its names,
    /// the question first, and its addresses (what passive learning sees on the wire).</summary>
    public int Decide(IReadOnlyList<DnsName> chainNames, IReadOnlyList<DnsChainAddress> addresses)
    {
        int count = addresses.Count;
        if (count == 0)
            return 0;
        var targets = DecideScratch.OfThread.Targets(count);
        for (int i = 0; i < count; i++)
        {
            var (_, address, ttl) = addresses[i];
            targets[i] = new DecisionTarget(address.Bits, address.IsIPv6, ttl);
        }
        Span<char> text = stackalloc char[DnsLimits.MaxNameLength];
        var question = chainNames[0];
        NoteNames(question.TryWritePlainText(text, out int written) ? text[..written] : question.ToString(), targets);
        RuleMatch? match = null;
        for (int i = 0; i < chainNames.Count && match is null; i++)
            match = MatchName(chainNames[i]);
        return Write(match, targets);
    }

    /// <summary>Each address is an answer for <paramref name="name"/> as long as its decision
    /// lives: one call per answer, so the name becomes at most one string however many addresses.</summary>
    private void NoteNames(ReadOnlySpan<char> name, ReadOnlySpan<DecisionTarget> targets) =>
        _names.Note(name, targets, DateTime.UtcNow.Ticks, Grace.Ticks);

    /// <summary>The decisions of a matched rule into the kernel: one batch per address family.</summary>
    private int Write(RuleMatch? match, ReadOnlySpan<DecisionTarget> targets)
    {
        if (match is not { } found || found.Rule.Action is OutboundAction)
            return 0; // no rule, or a proxy outbound: the proxy plane's business
        int ifindex = found.Rule.Action is ViaAction via ? IndexOf(via.Interface) : Refuse;
        uint id = found.Id;
        var cpu = MapUpdatesCpu;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        long cpuStart = 0;
        if (cpu is not null)
        {
            cpuStart = Steer.Resolver.ThreadCpuClock.NowNanoseconds;
            NullSyscalls!.RecordSince(start);
            start = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        _decisions.SetAll(targets, ifindex, id, Grace); // one system call per address family
        MapUpdates.RecordSince(start);
        cpu?.Record(TimeSpan.FromTicks((Steer.Resolver.ThreadCpuClock.NowNanoseconds - cpuStart) / 100));
        Interlocked.Add(ref _written, targets.Length);
        return targets.Length;
    }

    private void OnAnswer(DnsAnswerSeen answer)
    {
        Interlocked.Increment(ref _answers);
        Decide(answer.ChainNames, answer.Addresses);
    }

    /// <summary>The rule for a name as it came in a DNS message, without allocating (the
    /// resolver asks on every cache miss). A name with a byte that needs an escape (a dot inside
    /// a label is written "\.") matches no rule: the rule set splits its text on every dot, so
    /// "evil\.example.com" would otherwise pass for a name under example.com.</summary>
    public RuleMatch? MatchName(DnsName name)
    {
        Span<char> text = stackalloc char[DnsLimits.MaxNameLength];
        return name.TryWritePlainText(text, out int written) ? Rules.MatchName(text[..written]) : null;
    }

    /// <summary>The name an address was last an answer for, while its TTL lasts (the proxy's domain
    /// rules for intercepted flows); null when none.</summary>
    public string? NameOf(IPAddress address) => _names.NameOf(address);

    /// <summary>`steer rdns`: the name each address was last an answer for, and its TTL left
    /// (expired entries are not listed).</summary>
    public IReadOnlyList<(IPAddress Address, string Name, TimeSpan Remaining)> AddressNames() => _names.List();

    /// <summary>Forgets the addresses whose decisions have expired (the daemon's sweep timer):
    /// without it the map would grow with every address ever answered.</summary>
    public void SweepAddressNames() => _names.Sweep(DateTime.UtcNow.Ticks);

    /// <summary>The interface's index now; a missing interface refuses (fail closed). Cached
    /// per name and dropped on the link's events (<see cref="InterfaceIndexes"/>): no netlink
    /// round trip per answer.</summary>
    private int IndexOf(string name) => _indexes.IndexOf(name) is var index and not InterfaceIndexes.Missing ? index : Refuse;

    /// <summary>Asks the kernel (on a cache miss only).</summary>
    private int? LookUpIndex(string name)
    {
        Link? link;
        lock (_netlinkGate)
            link = _netlink.GetLink(name);
        if (link is null)
            _log.WriteLine($"steer: rule interface {name} does not exist; its flows are refused (fail closed)");
        return link?.Index;
    }

    /// <summary>A link of this name came, went, or changed: the CIDR rules hold indexes in the
    /// kernel, so those naming it are written again. Decisions of names follow by themselves:
    /// a cache hit rewrites its decisions at most a second later (ResolverOptions.DecisionRefresh),
    /// and until then an index no interface has any more fails closed.</summary>
    private void OnInterfaceChanged(string name)
    {
        if (!Volatile.Read(ref _cidrInterfaces).Contains(name))
            return;
        try
        {
            WriteCidrRules();
        }
        catch (Exception e)
        {
            _log.WriteLine($"steer: CIDR rules through {name} could not be rewritten after a link change: {e.Message}");
        }
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _indexes.Dispose();
        _netlink.Dispose();
    }
}
