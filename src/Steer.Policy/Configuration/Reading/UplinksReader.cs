using System.Net;
using System.Net.Sockets;
using Steer.Policy.Configuration.Yaml;

namespace Steer.Policy.Configuration.Reading;

/// <summary>An uplink as written: its table may still be "auto" (null) until ranges are known.</summary>
internal sealed record UplinkDraft(string Interface, Gateway Gateway4, Gateway Gateway6, ReturnPath Return, uint? Table, Node Node, Node? TableNode);

/// <summary><c>uplinks:</c> a list of <c>{ interface, gateway, gateway6, return, table }</c>.</summary>
internal static class UplinksReader
{
    private static readonly string[] Keys = ["interface", "gateway", "gateway6", "return", "table"];
    private static readonly string[] ReturnChoices = ["symmetric", "none"];

    public static List<UplinkDraft> Read(Node? node, ReadContext context)
    {
        var drafts = new List<UplinkDraft>();
        if (node is null)
            return drafts;
        foreach (var item in context.List(node, "uplinks"))
        {
            if (ReadOne(item, context) is { } draft)
                drafts.Add(draft);
        }
        return drafts;
    }

    private static UplinkDraft? ReadOne(Node node, ReadContext context)
    {
        var map = context.Mapping(node, "an uplink", Keys);
        if (map is null)
            return null;
        var ok = true;
        var interfaceNode = context.Required(map, "interface", "an uplink", "the egress interface, e.g. interface: eth1");
        var name = interfaceNode is null ? null : context.InterfaceName(interfaceNode, "interface");

        var gateway4 = Gateway.Auto;
        if (map["gateway"] is { } g4)
            ok &= context.Parse(g4, "gateway", "auto, none or an IPv4 address", (string t, out Gateway g) => ParseGateway(t, AddressFamily.InterNetwork, out g), out gateway4);
        var gateway6 = Gateway.Auto;
        if (map["gateway6"] is { } g6)
            ok &= context.Parse(g6, "gateway6", "auto, none or an IPv6 address", (string t, out Gateway g) => ParseGateway(t, AddressFamily.InterNetworkV6, out g), out gateway6);

        var returnPath = ReturnPath.Symmetric;
        if (map["return"] is { } returnNode)
        {
            var choice = context.Choice(returnNode, "return", ReturnChoices);
            ok &= choice is not null;
            returnPath = choice == "none" ? ReturnPath.None : ReturnPath.Symmetric;
        }

        uint? table = null;
        var tableNode = map["table"];
        if (tableNode is not null && context.Text(tableNode, "table", "auto or a table number") is { } tableText && tableText != "auto")
        {
            var problem = ValueParsers.ParseNumber(tableText, 1, uint.MaxValue, out var number);
            if (problem is null)
                table = number;
            else
            {
                context.Error(tableNode, $"table: {problem} (or auto)");
                ok = false;
            }
        }
        return ok && name is not null ? new UplinkDraft(name, gateway4, gateway6, returnPath, table, map, tableNode) : null;
    }

    private static string? ParseGateway(string text, AddressFamily family, out Gateway gateway)
    {
        gateway = text switch { "auto" => Gateway.Auto, "none" => Gateway.None, _ => default };
        if (text is "auto" or "none")
            return null;
        var problem = ValueParsers.ParseAddress(text, out var address);
        if (problem is not null)
            return $"{problem} (or auto, or none)";
        if (address.AddressFamily != family)
        {
            return family == AddressFamily.InterNetwork
                ? $"{address} is an IPv6 address; 'gateway' is the IPv4 gateway, put it under 'gateway6'"
                : $"{address} is an IPv4 address; 'gateway6' is the IPv6 gateway, put it under 'gateway'";
        }
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            return $"{address} is the unspecified address, not a gateway (for none, write none)";
        gateway = Gateway.Static(address);
        return null;
    }
}
