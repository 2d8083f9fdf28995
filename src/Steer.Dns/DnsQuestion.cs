namespace Steer.Dns;

/// <summary>One entry of the question section.</summary>
public sealed record DnsQuestion(DnsName Name, DnsType Type, DnsClass Class = DnsClass.IN)
{
    public override string ToString() => $"{Name} {Class} {Type}";
}
