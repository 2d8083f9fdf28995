namespace Steer.Policy.Configuration;

/// <summary>
/// <c>dns:</c> Steer's resolver. It listens on <see cref="Listen"/>, asks each name's upstream through
/// the interface the name's rule names, and writes the answer's addresses into the kernel before it
/// replies, so the first connection already goes the right way.
/// <see cref="GraceSeconds"/>: how long a decision outlives the answer's TTL, for applications
/// that connect just after the record expired from their own cache.
/// <see cref="CacheSizeBytes"/>: the memory the resolver's answer cache may hold (<c>dns.cache-size</c>),
/// counted as the answers' wire bytes plus a fixed overhead per entry.
/// <see cref="MaxDecisions"/>: how many addresses per family the kernel's decision map holds
/// (<c>dns.max-decisions</c>); the kernel sets the memory aside when the daemon starts.
/// </summary>
public sealed record DnsSettings(Endpoint Listen, EquatableArray<DnsUpstream> Upstreams, int GraceSeconds = DnsSettings.DefaultGraceSeconds,
    long CacheSizeBytes = DnsSettings.DefaultCacheSizeBytes, int MaxDecisions = DnsSettings.DefaultMaxDecisions)
{
    /// <summary>262,144 addresses per family: decisions live for their answer's TTL plus the grace
    /// period, so this is far more than a host resolves under rules at once. Preallocated: about
    /// 40 MiB of kernel memory for both families, buckets included.</summary>
    public const int DefaultMaxDecisions = 1 << 18;

    public const int MinMaxDecisions = 1024;

    /// <summary>About 600 MiB of kernel memory for both families.</summary>
    public const int MaxMaxDecisions = 1 << 22;

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
