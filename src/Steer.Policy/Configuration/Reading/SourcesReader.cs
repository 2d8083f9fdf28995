using Steer.Policy.Configuration.Yaml;

namespace Steer.Policy.Configuration.Reading;

internal sealed record SourceDraft(Cidr Addresses, string Uplink, Node Node, Node UplinkNode);

/// <summary><c>sources:</c> a list of <c>{ address, uplink }</c>: replies from these addresses leave via that uplink.</summary>
internal static class SourcesReader
{
    private static readonly string[] Keys = ["address", "uplink"];

    public static List<SourceDraft> Read(Node? node, ReadContext context)
    {
        var drafts = new List<SourceDraft>();
        if (node is null)
            return drafts;
        foreach (var item in context.List(node, "sources"))
        {
            var map = context.Mapping(item, "a source", Keys);
            if (map is null)
                continue;
            var addressNode = context.Required(map, "address", "a source", "the local address or network, e.g. address: 192.168.2.1");
            var uplinkNode = context.Required(map, "uplink", "a source", "the uplink its replies leave by, e.g. uplink: eth2");
            var addresses = addressNode is null ? null : context.Network(addressNode, "address");
            var uplink = uplinkNode is null ? null : context.InterfaceName(uplinkNode, "uplink");
            if (addresses is not null && uplink is not null)
                drafts.Add(new SourceDraft(addresses.Value, uplink, map, uplinkNode!));
        }
        return drafts;
    }
}
