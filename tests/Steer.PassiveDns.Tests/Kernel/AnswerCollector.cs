using System.Collections.Concurrent;

namespace Steer.PassiveDns.Tests.Kernel;

/// <summary>Collects what a listener reports, for a test to wait on.</summary>
internal sealed class AnswerCollector
{
    private readonly BlockingCollection<DnsAnswerSeen> _seen = [];

    public void Add(DnsAnswerSeen seen) => _seen.Add(seen);

    /// <summary>The next answer for <paramref name="question"/>; fails after <paramref name="timeoutMilliseconds"/>.</summary>
    public DnsAnswerSeen Next(string question, int timeoutMilliseconds = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMilliseconds;
        var name = DnsName.Parse(question);
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || !_seen.TryTake(out var seen, (int)left))
                throw new TimeoutException($"no answer for {question} was reported within {timeoutMilliseconds} ms");
            if (seen.Question == name)
                return seen;
        }
    }

    /// <summary>Everything reported so far.</summary>
    public List<DnsAnswerSeen> Drain()
    {
        var all = new List<DnsAnswerSeen>();
        while (_seen.TryTake(out var seen))
            all.Add(seen);
        return all;
    }
}
