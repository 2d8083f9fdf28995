using System.Net.Sockets;

namespace Steer.Linux.Netlink;

// Policy routing rules: RTM_GETRULE / RTM_NEWRULE / RTM_DELRULE, like ip rule show / add / del.
public sealed partial class NetlinkHandle
{
    /// <summary><c>ip [-4|-6] rule show</c>: IPv4 and IPv6 rules, in priority order within each
    /// family, unless <paramref name="family"/> says which.</summary>
    public IReadOnlyList<Rule> ListRules(AddressFamily? family = null)
    {
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var request = new NetlinkMessageWriter(buffer, Rt.RTM_GETRULE, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP);
        request.AddFixed(Rt.FibRuleHdrSize)[0] = FamilyByte(family);
        var rules = new List<Rule>();
        Execute(ref request, "RTM_GETRULE dump", (in NetlinkMessage m) =>
        {
            if (m.Type == Rt.RTM_NEWRULE && RuleDecoder.Decode(m) is { } rule)
                rules.Add(rule);
        });
        return rules;
    }

    /// <summary><c>ip rule add RULE</c>: fails with EEXIST when an identical rule exists.</summary>
    public void AddRule(Rule rule) => ChangeRule(Rt.RTM_NEWRULE, Create, rule, "RTM_NEWRULE");

    /// <summary><c>ip rule del RULE</c>: deletes the first rule matching every field set in
    /// <paramref name="rule"/> (protocol included, when set). Fails with ENOENT when none matches.</summary>
    public void DeleteRule(Rule rule) => ChangeRule(Rt.RTM_DELRULE, Change, rule, "RTM_DELRULE");

    private void ChangeRule(ushort type, ushort flags, Rule rule, string verb)
    {
        ArgumentNullException.ThrowIfNull(rule);
        RuleEncoder.Validate(rule, delete: type == Rt.RTM_DELRULE);
        Span<byte> buffer = stackalloc byte[ChangeBufferSize];
        var request = new NetlinkMessageWriter(buffer, type, flags);
        RuleEncoder.Write(ref request, rule);
        ExecuteChange(ref request, $"{verb} {rule}");
    }
}
