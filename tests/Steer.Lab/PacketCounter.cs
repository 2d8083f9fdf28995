using System.Text.Json;

namespace Steer.Lab;

/// <summary>Where in the packet path a <see cref="PacketCounter"/> counts.</summary>
public enum CountHook
{
    /// <summary>Prerouting when the expression names <c>iifname</c>, else postrouting.</summary>
    Auto,
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}

/// <summary>An nftables named counter fed by one rule: how many packets matched its expression.</summary>
public sealed class PacketCounter
{
    private readonly LabHost _host;

    internal PacketCounter(LabHost host, string name, string expression)
    {
        _host = host;
        Name = name;
        Expression = expression;
    }

    /// <summary>The counter's name in table <c>inet lab</c>.</summary>
    public string Name { get; }
    public string Expression { get; }

    /// <summary>Packets counted so far.</summary>
    public long Read() => ReadBoth().Packets;

    /// <summary>Packets and bytes counted so far.</summary>
    public (long Packets, long Bytes) ReadBoth()
    {
        var json = _host.Exec("nft", "-j", "list", "counter", "inet", PacketCounters.Table, Name).EnsureSuccess().Stdout;
        using var doc = JsonDocument.Parse(json);
        foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("counter", out var counter))
                return (counter.GetProperty("packets").GetInt64(), counter.GetProperty("bytes").GetInt64());
        }
        throw new LabException($"counter {Name} not found in nft output: {json}");
    }

    public override string ToString() => $"{Name}: {Expression}";
}

/// <summary>The <c>inet lab</c> table of one host: created on first use, one base chain per hook
/// in use, one named counter and rule per <see cref="PacketCounter"/>. It goes with the namespace.</summary>
internal sealed class PacketCounters
{
    public const string Table = "lab";
    private readonly LabHost _host;
    private readonly Lock _gate = new();
    private int _next;

    public PacketCounters(LabHost host) => _host = host;

    public PacketCounter Add(string expression, CountHook hook)
    {
        if (hook == CountHook.Auto)
            hook = expression.Contains("iifname", StringComparison.Ordinal) || expression.Contains("iif ", StringComparison.Ordinal)
                ? CountHook.Prerouting
                : CountHook.Postrouting;
        var chain = hook.ToString().ToLowerInvariant();
        // Early in prerouting, late in postrouting: count what arrives and what really leaves.
        var priority = hook switch { CountHook.Prerouting => -300, CountHook.Postrouting => 300, _ => 0 };
        lock (_gate)
        {
            var name = $"c{++_next}";
            var script =
                $"add table inet {Table}\n" +
                $"add chain inet {Table} {chain} {{ type filter hook {chain} priority {priority}; policy accept; }}\n" +
                $"add counter inet {Table} {name}\n" +
                $"add rule inet {Table} {chain} {expression} counter name {name}\n";
            var result = _host.Exec(new ExecOptions(script), "nft", "-f", "-");
            if (!result.Succeeded)
                throw new LabException($"nft rejected counter '{expression}' in {_host.Namespace}:\n{result.Stderr}\nscript:\n{script}");
            return new PacketCounter(_host, name, expression);
        }
    }
}
