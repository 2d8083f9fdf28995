using System.Buffers.Binary;
using System.Diagnostics;
using Steer.Dns;
using Steer.Resolver.Cache;
using Steer.Resolver.Clients;
using Steer.Resolver.Upstreams;

namespace Steer.Resolver;

/// <summary>
/// One query, from its bytes to its answer: malformed → FORMERR (or dropped when there is no
/// ID to answer to, or it is itself a response); other opcodes → NOTIMP; a cache hit → the stored
/// answer with the client's ID and question spelling and aged TTLs, all in the caller's buffer,
/// allocation-free; a miss → the rule's route: REFUSED, or forwarded. Forwarded answers come back
/// through <see cref="Finish"/>: decisions first, then the cache, then the client.
/// </summary>
internal sealed class QueryProcessor(IResolverPolicy policy, AnswerCache cache, ResolverOptions options,
    LatencyHistogram decideLatency, ResolverCounters shared, TextWriter log) : IAnswerFinisher
{
    private readonly ThrottledLog _notes = new(log);
    private readonly long _refreshMs = (long)options.DecisionRefresh.TotalMilliseconds;

    public Forwarder Forwarder { get; set; } = null!;

    /// <summary>Handles one query. Returns the length of the response written to
    /// <paramref name="response"/> to send now, or 0 when nothing is to be sent now (dropped, or
    /// forwarded: the answer will go to the origin's sink). <paramref name="scratch"/> holds a
    /// cached answer that must be cut for a UDP client. Both buffers: 65,536 bytes.</summary>
    public int Handle(ReadOnlySpan<byte> query, Span<byte> response, Span<byte> scratch, bool udp, IClientOrigin origin, ResolverCounters counters)
    {
        ResolverCounters.Add(ref counters.Queries);
        if (!DnsMessageView.TryParse(query, out var view, out _))
        {
            // Never answer what looks like a response: two resolvers must not talk in a loop.
            if (query.Length >= 3 && (query[2] & 0x80) != 0 || !DnsResponses.TryWriteFormatError(query, response, out int formErr))
                return Drop(counters);
            ResolverCounters.Add(ref counters.FormatErrors);
            return formErr;
        }
        var header = view.Header;
        if (header.IsResponse)
            return Drop(counters);
        if (header.Opcode != DnsOpcode.Query)
            return Error(view, DnsRcode.NotImp, response, ref counters.NotImplemented, counters);
        if (view.QuestionCount != 1)
            return Error(view, DnsRcode.FormErr, response, ref counters.FormatErrors, counters); // RFC 9619

        Span<byte> key = stackalloc byte[CacheKey.MaxLength];
        bool cacheable = CacheKey.TryWrite(view, key, out int keyLength, out int questionEnd);
        int hash = 0;
        int udpLimit = udp ? DnsTruncation.UdpLimitFor(view) : DnsLimits.MaxMessageLength;
        var generation = policy.Generation;
        if (cacheable)
        {
            key = key[..keyLength];
            hash = CacheKey.Hash(key);
            var entry = cache.Find(key, hash);
            long now = Environment.TickCount64;
            if (entry is not null && entry.ExpiresMs > now && ReferenceEquals(entry.Generation, generation))
            {
                ResolverCounters.Add(ref counters.CacheHits);
                if (entry.IsRefusal)
                    return Error(view, DnsRcode.Refused, response, ref counters.Refused, counters);
                return FromCache(entry, view, questionEnd, response, scratch, udpLimit, now, counters);
            }
        }

        view.TryGetQuestion(out var question);
        var name = question.Name.ToDnsName();
        var route = policy.Route(name);
        if (route.Refuse)
        {
            if (cacheable)
                cache.StoreRefusal(key, hash, Environment.TickCount64, options.RefusalTtl, generation);
            return Error(view, DnsRcode.Refused, response, ref counters.Refused, counters);
        }
        var group = Forwarder.GroupFor(route.Interface);
        if (group is null)
            return ServFail(view, response, counters);
        var pending = new PendingQuery(query.ToArray(), view.Id, cacheable ? key.ToArray() : null, hash, questionEnd, udpLimit,
            origin.CreateSink(), name, generation, group);
        ResolverCounters.Add(ref counters.Forwarded);
        Forwarder.Start(pending);
        return 0;
    }

    private int FromCache(CacheEntry entry, DnsMessageView query, int questionEnd, Span<byte> response, Span<byte> scratch,
        int udpLimit, long now, ResolverCounters counters)
    {
        int length = entry.AnswerLength;
        bool fits = length <= udpLimit;
        var answer = (fits ? response : scratch)[..length];
        entry.CopyAnswerTo(answer, (uint)((now - entry.StoredMs) / 1000));
        BinaryPrimitives.WriteUInt16BigEndian(answer, query.Id);
        // The client's spelling of the name (0x20 randomisation checks it); same length by key.
        query.Bytes[DnsHeader.Size..questionEnd].CopyTo(answer[DnsHeader.Size..]);

        long decided = Volatile.Read(ref entry.DecidedMs);
        if (entry.HasDecisions && now - decided >= _refreshMs && Interlocked.CompareExchange(ref entry.DecidedMs, now, decided) == decided)
        {
            // The decisions written when the answer was stored outlive the TTL this hit hands
            // out (TTL + grace from then), so this answer is decided already. Rewriting them now
            // and then only keeps them current (a re-created interface's new index): off the
            // worker thread, so a hit never waits for a rule lookup or a netlink round trip.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Processor.Refresh(state.Entry), (Processor: this, Entry: entry), preferLocal: false);
        }
        if (fits)
            return answer.Length;
        return DnsTruncation.TryFit(DnsMessageView.Parse(answer), udpLimit, response, out int written, out _) ? written : ServFail(query, response, counters);
    }

    /// <summary>Rewrites a cached answer's decisions with its TTLs as they are now.</summary>
    private void Refresh(CacheEntry entry)
    {
        // A pooled copy: a hot name refreshes every DecisionRefresh, and the copy is only read here.
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(entry.AnswerLength);
        try
        {
            var answer = rented.AsSpan(0, entry.AnswerLength);
            entry.CopyAnswerTo(answer, (uint)((Environment.TickCount64 - entry.StoredMs) / 1000));
            var view = DnsMessageView.Parse(answer);
            view.TryGetQuestion(out var question);
            Decide(view, question.Name.ToDnsName());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>An upstream's answer to a forwarded query: decide, cache, send. Fail closed: when
    /// the decisions cannot be written, the client gets SERVFAIL, not addresses that would leave
    /// by the wrong interface.</summary>
    public void Finish(PendingQuery query, Span<byte> answer, Span<byte> scratch)
    {
        var view = DnsMessageView.Parse(answer);
        int decided = Decide(view, query.Question);
        if (decided < 0)
        {
            Fail(query);
            return;
        }
        if (query.Key is not null && view.QuestionSectionEnd == query.QuestionEnd)
            cache.Store(query.Key, query.Hash, view, Environment.TickCount64, query.Generation, decided > 0);
        BinaryPrimitives.WriteUInt16BigEndian(answer, query.ClientId);
        if (!query.Sink.IsUdp || answer.Length <= query.UdpLimit)
        {
            query.Sink.Send(answer);
            return;
        }
        if (DnsTruncation.TryFit(DnsMessageView.Parse(answer), query.UdpLimit, scratch, out int written, out _))
            query.Sink.Send(scratch[..written]);
        else
            Fail(query);
    }

    /// <summary>No upstream answered (or the answer could not be used): the last upstream failure
    /// passed on unchanged if there was one, else SERVFAIL.</summary>
    public void Fail(PendingQuery query)
    {
        if (query.LastFailure is { } failure)
        {
            BinaryPrimitives.WriteUInt16BigEndian(failure, query.ClientId);
            query.Sink.Send(failure);
            return;
        }
        ResolverCounters.Add(ref shared.ServFails);
        var buffer = new byte[query.Sent.Length + 64];
        BinaryPrimitives.WriteUInt16BigEndian(query.Sent, query.ClientId);
        if (DnsMessageView.TryParse(query.Sent, out var view, out _) && DnsResponses.TryWriteError(view, DnsRcode.ServFail, buffer, out int written))
            query.Sink.Send(buffer.AsSpan(0, written));
    }

    /// <summary>Writes the answer's decisions; the number written, or -1 when it failed.</summary>
    private int Decide(DnsMessageView answer, DnsName question)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            int decided = policy.Decide(answer, question);
            if (decided > 0)
                decideLatency.RecordSince(start);
            return decided;
        }
        catch (Exception e)
        {
            Note($"decisions for {question} could not be written, answering SERVFAIL: {e.Message}");
            return -1;
        }
    }

    private int ServFail(DnsMessageView query, Span<byte> response, ResolverCounters counters) =>
        Error(query, DnsRcode.ServFail, response, ref counters.ServFails, counters);

    private static int Error(DnsMessageView query, DnsRcode rcode, Span<byte> response, ref long counter, ResolverCounters counters)
    {
        if (!DnsResponses.TryWriteError(query, rcode, response, out int written))
            return Drop(counters);
        ResolverCounters.Add(ref counter);
        return written;
    }

    private static int Drop(ResolverCounters counters)
    {
        ResolverCounters.Add(ref counters.Dropped);
        return 0;
    }

    public void Fault(Exception e) => Note($"internal error, the query is dropped: {e}");

    private void Note(string message) => _notes.Note(message);
}
