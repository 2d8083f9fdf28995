using Steer.Dns;
using Steer.Linux.SocketPlane;

namespace Steer.Daemon;

/// <summary>
/// What the name plane's decide step reuses on each thread that answers: the answer's chain and
/// the array of addresses handed to the kernel. Per thread, because the resolver's workers decide
/// in parallel; grown once, never shrunk (an answer holds at most a few hundred addresses).
/// </summary>
internal sealed class DecideScratch
{
    [ThreadStatic]
    private static DecideScratch? s_ofThread;

    private DecisionTarget[] _targets = new DecisionTarget[16];

    public static DecideScratch OfThread => s_ofThread ??= new DecideScratch();

    public DnsAnswerChain Chain { get; } = new();

    /// <summary>Room for <paramref name="count"/> addresses (the previous answer's are overwritten).</summary>
    public Span<DecisionTarget> Targets(int count)
    {
        if (_targets.Length < count)
            _targets = new DecisionTarget[Math.Max(count, _targets.Length * 2)];
        return _targets.AsSpan(0, count);
    }
}
