using System.Net;
using Steer.Dns;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;
using Steer.Resolver;

namespace Steer.Daemon;

/// <summary>
/// The daemon's resolver: Steer.Resolver's <see cref="DnsResolver"/> over the name plane. A
/// name's rule picks its upstreams (those tagged with the rule's interface, asked over it); a
/// reject rule refuses it; the answer's addresses become kernel decisions before it is sent.
/// `steer apply` with a changed dns: section swaps upstreams in place, and rebinds when the
/// listen address changed (the new address first: if it cannot be bound, nothing changes).
/// </summary>
public sealed class Resolver : IDisposable
{
    private readonly NamePlane _names;
    private readonly TextWriter _log;
    private DnsResolver _resolver;

    private Resolver(DnsResolver resolver, NamePlane names, TextWriter log) => (_resolver, _names, _log) = (resolver, names, log);

    public IPEndPoint Listening => Volatile.Read(ref _resolver).Listening;

    public ResolverStats Stats => Volatile.Read(ref _resolver).Stats;

    public long Queries => Stats.Queries;

    public long CacheHits => Stats.CacheHits;

    public static Resolver Start(DnsSettings settings, NamePlane names, TextWriter log) =>
        new(DnsResolver.Start(settings, new NamePlanePolicy(names), log), names, log);

    /// <summary>Takes a new dns: section: upstreams swapped atomically; a new listen address is
    /// bound before the old one is let go. Throws <see cref="InvalidOperationException"/> (and
    /// changes nothing) when the new address cannot be bound.</summary>
    public void Reconfigure(DnsSettings settings)
    {
        var current = Volatile.Read(ref _resolver);
        if (settings == current.Settings)
            return;
        if (settings.Listen == current.Settings.Listen)
        {
            current.ReplaceUpstreams(settings);
            return;
        }
        var next = DnsResolver.Start(settings, new NamePlanePolicy(_names), _log);
        Volatile.Write(ref _resolver, next);
        current.Dispose();
    }

    public void Dispose() => Volatile.Read(ref _resolver).Dispose();

    /// <summary>The name plane as the resolver's policy. The rule set object is the generation:
    /// `steer apply` replaces it, which makes every cached answer a miss until asked again.</summary>
    private sealed class NamePlanePolicy(NamePlane names) : IResolverPolicy
    {
        public object Generation => names.Rules;

        public ResolverRoute Route(DnsName name) => names.MatchName(name)?.Rule.Action switch
        {
            RejectAction => ResolverRoute.Refused,
            ViaAction via => ResolverRoute.Via(via.Interface),
            _ => ResolverRoute.Default,
        };

        public int Decide(DnsMessageView answer, DnsName question) => names.Decide(answer, question);
    }
}
