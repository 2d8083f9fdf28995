namespace Steer.Linux.Netlink;

/// <summary>A change notification from <see cref="NetlinkMonitor"/>.</summary>
public abstract record NetlinkEvent;

public enum LinkChange
{
    /// <summary>The link appeared in the namespace (created, or moved in).</summary>
    Added,
    /// <summary>Its state changed: up/down, carrier, MTU, name...</summary>
    Changed,
    /// <summary>The link is gone from the namespace (deleted, or moved out).</summary>
    Deleted,
}

/// <summary><c>ip monitor link</c>: RTM_NEWLINK / RTM_DELLINK, with the link as the kernel describes it now.</summary>
public sealed record LinkEvent(LinkChange Change, Link Link) : NetlinkEvent
{
    public override string ToString() => $"{Change} {Link}";
}

public enum AddressChange { Added, Removed }

/// <summary><c>ip monitor address</c>: RTM_NEWADDR / RTM_DELADDR. A repeated Added is an update
/// (for example the end of duplicate address detection).</summary>
public sealed record AddressEvent(AddressChange Change, InterfaceAddress Address) : NetlinkEvent
{
    public override string ToString() => $"{Change} {Address}";
}

public enum RouteChange { Added, Deleted }

/// <summary><c>ip monitor route</c>: RTM_NEWROUTE / RTM_DELROUTE. An Added for a route that
/// exists is a replacement.</summary>
public sealed record RouteEvent(RouteChange Change, Route Route) : NetlinkEvent
{
    public override string ToString() => $"{Change} {Route}";
}

public enum RuleChange { Added, Deleted }

/// <summary><c>ip monitor rule</c>: RTM_NEWRULE / RTM_DELRULE.</summary>
public sealed record RuleEvent(RuleChange Change, Rule Rule) : NetlinkEvent
{
    public override string ToString() => $"{Change} {Rule}";
}

/// <summary>
/// The kernel dropped notifications because they came faster than they were read (ENOBUFS).
/// State may have changed unseen: list what you follow again.
/// </summary>
public sealed record EventsLost : NetlinkEvent;
