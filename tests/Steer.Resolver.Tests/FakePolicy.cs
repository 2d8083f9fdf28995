using Steer.Dns;

namespace Steer.Resolver.Tests;

/// <summary>Rules for tests: names under refused.test are refused, names under via-lo.test go via lo;
/// Decide counts the answers it is shown and can be told to fail.</summary>
internal sealed class FakePolicy : IResolverPolicy
{
    private int _decided;

    public object Generation { get; set; } = new();

    public bool FailDecisions { get; set; }

    public int Decided => Volatile.Read(ref _decided);

    public ResolverRoute Route(DnsName question) => Route(question.ToString());

    private static ResolverRoute Route(string name) =>
        name.EndsWith("refused.test", StringComparison.OrdinalIgnoreCase) ? ResolverRoute.Refused
        : name.EndsWith("via-lo.test", StringComparison.OrdinalIgnoreCase) ? ResolverRoute.Via("lo")
        : ResolverRoute.Default;

    public int Decide(DnsMessageView answer, DnsName question)
    {
        if (FailDecisions)
            throw new InvalidOperationException("the decision map is full");
        var chain = DnsAnswerChain.Walk(answer, question);
        if (chain.Addresses.Count == 0 || !question.ToString().EndsWith("via-lo.test", StringComparison.OrdinalIgnoreCase))
            return 0;
        Interlocked.Increment(ref _decided);
        return chain.Addresses.Count;
    }
}
