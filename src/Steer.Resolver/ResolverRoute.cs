namespace Steer.Resolver;

/// <summary>Where a name goes: refused (a reject rule), or forwarded to the upstreams tagged
/// <see cref="Interface"/> and asked over it (null: the untagged upstreams, normal route).</summary>
public readonly record struct ResolverRoute(bool Refuse, string? Interface)
{
    public static ResolverRoute Default => new(false, null);

    public static ResolverRoute Refused => new(true, null);

    public static ResolverRoute Via(string iface) => new(false, iface);
}
