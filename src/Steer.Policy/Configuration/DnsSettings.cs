namespace Steer.Policy.Configuration;

/// <summary>
/// <c>dns:</c> Steer's resolver. It listens on <see cref="Listen"/>, asks each name's upstream through
/// the interface the name's rule names, and writes the answer's addresses into the kernel before it
/// replies, so the first connection already goes the right way.
/// <see cref="GraceSeconds"/>: how long a decision outlives the answer's TTL, for applications
/// that connect just after the record expired from their own cache.
/// <see cref="CacheSizeBytes"/>: the memory the resolver's answer cache may hold (<c>dns.cache-size</c>),
/// counted as the answers' wire bytes plus a fixed overhead per entry.
/// </summary>
public sealed record DnsSettings(Endpoint Listen, EquatableArray<DnsUpstream> Upstreams, int GraceSeconds = DnsSettings.DefaultGraceSeconds,
    long CacheSizeBytes = DnsSettings.DefaultCacheSizeBytes)
{
    public const int DefaultGraceSeconds = 30;
    public const int MaxGraceSeconds = 86_400;

    /// <summary>64 MiB: about 200,000 typical answers (a few hundred bytes each with the overhead).</summary>
    public const long DefaultCacheSizeBytes = 64L << 20;

    /// <summary>Less than 64 KiB would hold too few answers to be worth it.</summary>
    public const long MinCacheSizeBytes = 64L << 10;

    public const long MaxCacheSizeBytes = 16L << 30;
}

/// <summary>
/// An upstream resolver. Untagged (<see cref="Interface"/> null): asked for names that no rule sends
/// elsewhere. Tagged with an interface: asked, through that interface, for names whose rule says
/// <c>via</c> that interface.
/// </summary>
public sealed record DnsUpstream(Endpoint Server, string? Interface);
