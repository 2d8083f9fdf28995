namespace Steer.Dns;

/// <summary>A refusal: the reason and the offset of the byte where the problem was seen.</summary>
public readonly record struct DnsParseError(DnsFormatError Reason, int Offset)
{
    public bool IsError => Reason != DnsFormatError.None;

    public DnsFormatException ToException() => new(Reason, Offset);

    public override string ToString() => DnsFormatException.Describe(Reason, Offset);
}
