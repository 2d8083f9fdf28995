namespace Steer.Linux.Netlink;

/// <summary>Turns one multicast datagram into typed events; kinds it does not know are skipped.</summary>
internal static class NetlinkEventDecoder
{
    public static void Decode(ReadOnlySpan<byte> datagram, List<NetlinkEvent> into)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            switch (message.Type)
            {
                case Rt.RTM_NEWLINK:
                {
                    var (link, change) = LinkDecoder.Decode(message);
                    into.Add(new LinkEvent(change == Rt.IfiChangeNewLink ? LinkChange.Added : LinkChange.Changed, link));
                    break;
                }
                case Rt.RTM_DELLINK:
                    into.Add(new LinkEvent(LinkChange.Deleted, LinkDecoder.Decode(message).Link));
                    break;
                case Rt.RTM_NEWADDR or Rt.RTM_DELADDR:
                    if (AddressDecoder.Decode(message) is { } address)
                        into.Add(new AddressEvent(message.Type == Rt.RTM_NEWADDR ? AddressChange.Added : AddressChange.Removed, address));
                    break;
                case Rt.RTM_NEWROUTE or Rt.RTM_DELROUTE:
                    if (RouteDecoder.Decode(message) is { } route)
                        into.Add(new RouteEvent(message.Type == Rt.RTM_NEWROUTE ? RouteChange.Added : RouteChange.Deleted, route));
                    break;
                case Rt.RTM_NEWRULE or Rt.RTM_DELRULE:
                    if (RuleDecoder.Decode(message) is { } rule)
                        into.Add(new RuleEvent(message.Type == Rt.RTM_NEWRULE ? RuleChange.Added : RuleChange.Deleted, rule));
                    break;
            }
        }
    }
}
