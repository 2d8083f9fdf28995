using System.Collections.Concurrent;
using Steer.Dns;

namespace Steer.Daemon;

/// <summary>
/// Whole upstream answers, kept for their smallest TTL (RFC 2308 for negative answers: NXDOMAIN
/// and no-data answers are cached for their SOA minimum). Keyed by the question's name as
/// lowercase wire bytes, type, class and the DO bit, so 'Example.COM' and 'example.com' share an
/// entry. A hit is the stored answer with its TTLs aged by the time it spent here. SERVFAIL and
/// answers with nothing to take a TTL from are not kept. Bounded: when full, the oldest entries go.
/// </summary>
public sealed class AnswerCache(int capacity = 100_000)
{
    private readonly ConcurrentDictionary<string, (byte[] Answer, DateTime Stored, uint Ttl)> _entries = new(StringComparer.Ordinal);
    private long _hits, _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public int Count => _entries.Count;

    /// <summary>The cache key of a query, or null when it cannot be cached (no single question).</summary>
    public static string? KeyOf(DnsMessageView query)
    {
        if (query.QuestionCount != 1 || !query.TryGetQuestion(out var question))
            return null;
        bool dnssecOk = query.TryGetEdns(out var edns) && edns.DnssecOk;
        return $"{Convert.ToHexString(question.Name.ToDnsName().WireBytes)}/{(ushort)question.Type}/{(ushort)question.Class}/{(dnssecOk ? 1 : 0)}";
    }

    /// <summary>A copy of the cached answer with aged TTLs and <paramref name="id"/>, or null.</summary>
    public byte[]? TryGet(string key, ushort id, DateTime now)
    {
        if (!_entries.TryGetValue(key, out var entry) || now >= entry.Stored.AddSeconds(entry.Ttl))
        {
            Interlocked.Increment(ref _misses);
            return null;
        }
        var answer = (byte[])entry.Answer.Clone();
        DnsTtl.Decrement(answer, (uint)(now - entry.Stored).TotalSeconds);
        DnsMessageEdits.SetId(answer, id);
        Interlocked.Increment(ref _hits);
        return answer;
    }

    public void Store(string key, byte[] answer, DateTime now)
    {
        var view = DnsMessageView.Parse(answer);
        if (view.Header.Truncated || (view.Rcode != DnsRcode.NoError && view.Rcode != DnsRcode.NXDomain)
            || !DnsTtl.TryGetMinimum(view, out uint ttl) || ttl == 0)
            return;
        if (_entries.Count >= capacity)
            foreach (var old in _entries.OrderBy(e => e.Value.Stored).Take(capacity / 10).ToList())
                _entries.TryRemove(old.Key, out _);
        _entries[key] = ((byte[])answer.Clone(), now, ttl);
    }
}
