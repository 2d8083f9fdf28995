using Steer.Dns;
using Steer.Resolver.Clients;

namespace Steer.Resolver.Upstreams;

/// <summary>
/// A query on its way through the upstreams. Owned by exactly one party at a time: the channel
/// slot it is registered in, the timeout queue item that wins the slot back, or the receive loop
/// that takes it out of its slot with a matching answer. Whoever takes it out moves it on.
/// </summary>
internal sealed class PendingQuery
{
    public PendingQuery(byte[] query, ushort clientId, byte[]? key, int hash, int questionEnd, int udpLimit,
        ClientSink sink, DnsName question, object generation, UpstreamGroup group)
    {
        Sent = query;
        ClientId = clientId;
        Key = key;
        Hash = hash;
        QuestionEnd = questionEnd;
        UdpLimit = udpLimit;
        Sink = sink;
        Question = question;
        Generation = generation;
        Group = group;
        MaxAttempts = group.Servers.Length;
    }

    /// <summary>The client's query with the ID of the current attempt (the client's own ID is
    /// never sent upstream: a fresh random one per attempt).</summary>
    public byte[] Sent { get; }

    public ushort ClientId { get; }

    /// <summary>The cache key, or null when the query is not cacheable.</summary>
    public byte[]? Key { get; }

    public int Hash { get; }

    public int QuestionEnd { get; }

    public int UdpLimit { get; }

    public ClientSink Sink { get; }

    public DnsName Question { get; }

    public object Generation { get; }

    public UpstreamGroup Group { get; }

    public int MaxAttempts { get; set; }

    /// <summary>Where in the group the first attempt went.</summary>
    public int Start;

    /// <summary>Attempts made so far, the current one included.</summary>
    public int Attempt;

    /// <summary>Names the current attempt, unique per process: its timeout item holds this token,
    /// not the query, so an answered query is not kept alive until its deadline.</summary>
    public long AttemptToken;

    /// <summary>The upstream the current attempt went to.</summary>
    public UpstreamServer? Server;

    /// <summary>The last SERVFAIL or REFUSED an upstream gave: passed on unchanged if no other
    /// upstream does better.</summary>
    public byte[]? LastFailure;
}
