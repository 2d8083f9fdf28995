using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>Small in-place edits of a message's header, for forwarding answers unchanged otherwise.</summary>
public static class DnsMessageEdits
{
    /// <summary>Reads the ID of anything at least 2 bytes long — enough to answer even a malformed query.</summary>
    public static bool TryReadId(ReadOnlySpan<byte> message, out ushort id)
    {
        id = message.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(message) : (ushort)0;
        return message.Length >= 2;
    }

    /// <summary>Gives an upstream answer the ID of the client's query.</summary>
    /// <exception cref="DnsFormatException">Shorter than a header.</exception>
    public static void SetId(Span<byte> message, ushort id)
    {
        CheckHeader(message);
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
    }

    /// <exception cref="DnsFormatException">Shorter than a header.</exception>
    public static void SetTruncated(Span<byte> message, bool truncated)
    {
        CheckHeader(message);
        message[2] = (byte)(truncated ? message[2] | 0x02 : message[2] & ~0x02);
    }

    private static void CheckHeader(ReadOnlySpan<byte> message)
    {
        if (message.Length < DnsHeader.Size)
            throw new DnsFormatException(DnsFormatError.HeaderTooShort, message.Length);
    }
}
