using Steer.Dns;

namespace Steer.Resolver;

/// <summary>
/// What the resolver asks of the rest of Steer: where a name goes, and the decisions an answer
/// calls for. The daemon implements it over the name plane; tests with a fake.
/// </summary>
public interface IResolverPolicy
{
    /// <summary>An object that changes (by reference) whenever the rules change. Cached answers
    /// and refusals remember the generation they were made under; a different one makes them
    /// misses, so a rule change takes effect at once without flushing the cache.</summary>
    object Generation { get; }

    /// <summary>The route of a question's name. Called on cache misses only, so it should not
    /// allocate: every object a miss makes is one more for the GC, whose pauses hold every answer
    /// in flight.</summary>
    ResolverRoute Route(DnsName name);

    /// <summary>Writes the kernel decisions <paramref name="answer"/> calls for (its addresses,
    /// if a rule covers a name of its CNAME chain) and returns how many addresses it decided.
    /// Called before the answer is sent. Must not throw for any answer that parsed.</summary>
    int Decide(DnsMessageView answer, DnsName question);
}
