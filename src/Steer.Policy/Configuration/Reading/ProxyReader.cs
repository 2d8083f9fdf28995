using Steer.Policy.Configuration.Yaml;
using Steer.Policy.Names;

namespace Steer.Policy.Configuration.Reading;

/// <summary>The proxy section as written; <see cref="DefaultText"/> is resolved once outbounds are known.</summary>
internal sealed record ProxyDraft(
    TproxyInbound? Tproxy,
    SocksInbound? Socks,
    string DefaultText,
    Node? DefaultNode,
    List<(Outbound Outbound, Node Node)> Outbounds);

/// <summary><c>proxy: { tproxy, socks, default, outbounds }</c>.</summary>
internal static class ProxyReader
{
    private static readonly string[] Keys = ["tproxy", "socks", "default", "outbounds"];
    private static readonly string[] TproxyKeys = ["port", "interfaces"];
    private static readonly string[] SocksKeys = ["listen"];
    private static readonly string[] OutboundKeys = ["name", "type", "server", "via"];
    private static readonly string[] OutboundTypes = ["socks5"];

    public static ProxyDraft? Read(Node? node, ReadContext context)
    {
        if (node is null)
            return null;
        var map = context.Mapping(node, "proxy", Keys);
        if (map is null)
            return null;
        var errorsBefore = context.Errors.Count;

        var tproxy = map["tproxy"] is { } tproxyNode ? ReadTproxy(tproxyNode, context) : null;
        var socks = map["socks"] is { } socksNode ? ReadSocks(socksNode, context) : null;
        var defaultNode = map["default"];
        var defaultText = defaultNode is null ? "auto" : context.Text(defaultNode, "proxy.default", "auto, reject or an outbound name") ?? "auto";
        var outbounds = new List<(Outbound, Node)>();
        if (map["outbounds"] is { } outboundsNode)
        {
            foreach (var item in context.List(outboundsNode, "proxy.outbounds"))
            {
                if (ReadOutbound(item, context) is { } outbound)
                    outbounds.Add((outbound, item));
            }
        }
        if (map["tproxy"] is null && map["socks"] is null)
            context.Warn(map.Location, "proxy has no inbound (tproxy or socks), so no flow reaches it");
        return context.Errors.Count == errorsBefore ? new ProxyDraft(tproxy, socks, defaultText, defaultNode, outbounds) : null;
    }

    private static TproxyInbound? ReadTproxy(Node node, ReadContext context)
    {
        var map = context.Mapping(node, "proxy.tproxy", TproxyKeys);
        if (map is null)
            return null;
        var portNode = context.Required(map, "port", "proxy.tproxy", "the local port intercepted flows are delivered to, e.g. port: 7893");
        var port = 0;
        var ok = portNode is not null && context.Parse(portNode, "proxy.tproxy", "a port number 1..65535", ValueParsers.ParsePort, out port);
        var interfaces = new List<string>();
        var interfacesNode = context.Required(map, "interfaces", "proxy.tproxy", "the interfaces whose incoming flows are intercepted, e.g. interfaces: [lan0]");
        if (interfacesNode is not null)
        {
            var items = interfacesNode is ScalarNode { IsNull: false } ? [interfacesNode] : context.List(interfacesNode, "interfaces");
            foreach (var item in items)
            {
                var name = context.InterfaceName(item, "interfaces");
                ok &= name is not null;
                if (name is not null && !interfaces.Contains(name))
                    interfaces.Add(name);
            }
            if (items.Count == 0)
            {
                context.Error(interfacesNode, "interfaces: give at least one interface to intercept");
                ok = false;
            }
        }
        return ok && interfacesNode is not null ? new TproxyInbound(port, interfaces.ToEquatableArray()) : null;
    }

    private static SocksInbound? ReadSocks(Node node, ReadContext context)
    {
        var map = context.Mapping(node, "proxy.socks", SocksKeys);
        if (map is null)
            return null;
        var listenNode = context.Required(map, "listen", "proxy.socks", "where the SOCKS server listens, e.g. listen: \"127.0.0.1:1080\"");
        return listenNode is not null &&
               context.Parse(listenNode, "listen", "ADDRESS:PORT", (string t, out Endpoint e) => ValueParsers.ParseEndpoint(t, null, out e), out var listen)
            ? new SocksInbound(listen)
            : null;
    }

    private static Outbound? ReadOutbound(Node node, ReadContext context)
    {
        var map = context.Mapping(node, "an outbound", OutboundKeys);
        if (map is null)
            return null;
        var nameNode = context.Required(map, "name", "an outbound", "the name rules use, e.g. name: corp");
        var name = nameNode is null ? null : context.Text(nameNode, "name", "a name such as corp");
        var ok = name is not null;
        if (name is not null && OutboundName.Validate(name) is { } problem)
        {
            context.Error(nameNode!, $"name: {problem}");
            ok = false;
        }
        var typeNode = context.Required(map, "type", "an outbound", $"one of: {string.Join(", ", OutboundTypes)}");
        ok &= typeNode is not null && context.Choice(typeNode, "type", OutboundTypes) is not null;
        var serverNode = context.Required(map, "server", "an outbound", "the proxy's ADDRESS:PORT");
        Endpoint server = default;
        ok &= serverNode is not null &&
              context.Parse(serverNode, "server", "ADDRESS:PORT", (string t, out Endpoint e) => ValueParsers.ParseEndpoint(t, null, out e), out server);
        string? via = null;
        if (map["via"] is { } viaNode)
        {
            via = context.InterfaceName(viaNode, "via");
            ok &= via is not null;
        }
        return ok ? new Outbound(name!, OutboundProtocol.Socks5, server, via) : null;
    }
}
