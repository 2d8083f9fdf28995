using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>A question where it sits in a validated message.</summary>
public readonly ref struct DnsQuestionView
{
    internal DnsQuestionView(ReadOnlySpan<byte> message, int offset, int nameEnd)
    {
        Name = new DnsWireName(message, offset);
        Type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(message[nameEnd..]);
        Class = (DnsClass)BinaryPrimitives.ReadUInt16BigEndian(message[(nameEnd + 2)..]);
        Offset = offset;
        Length = nameEnd + 4 - offset;
    }

    public DnsWireName Name { get; }

    public DnsType Type { get; }

    public DnsClass Class { get; }

    /// <summary>Offset of the question's first byte.</summary>
    public int Offset { get; }

    /// <summary>Bytes the question occupies in the message (its name possibly compressed).</summary>
    public int Length { get; }

    public DnsQuestion ToQuestion() => new(Name.ToDnsName(), Type, Class);
}
