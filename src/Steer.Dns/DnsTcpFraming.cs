using System.Buffers.Binary;

namespace Steer.Dns;

/// <summary>
/// DNS over TCP frames each message with a 2-byte big-endian length (RFC 1035 §4.2.2, RFC 7766 §8).
/// Pure functions over buffers; the caller owns the socket and the buffering.
/// </summary>
public static class DnsTcpFraming
{
    public const int PrefixLength = 2;

    /// <summary>
    /// Takes one message off the front of the bytes received so far. False when more bytes are needed
    /// (fewer than 2, or fewer than the prefix announces); then nothing is consumed.
    /// </summary>
    /// <param name="consumed">Prefix plus message: how far to advance the receive buffer.</param>
    /// <remarks>A frame is returned whatever it holds (even empty); whether it is a message is for the parser to say.</remarks>
    public static bool TryReadFrame(ReadOnlySpan<byte> received, out ReadOnlySpan<byte> message, out int consumed)
    {
        message = default;
        consumed = 0;
        if (received.Length < PrefixLength)
            return false;
        var length = BinaryPrimitives.ReadUInt16BigEndian(received);
        if (received.Length < PrefixLength + length)
            return false;
        message = received.Slice(PrefixLength, length);
        consumed = PrefixLength + length;
        return true;
    }

    /// <summary>Bytes the frame at the front will take in all, or -1 while its prefix has not fully arrived.</summary>
    public static int FrameLength(ReadOnlySpan<byte> received) =>
        received.Length < PrefixLength ? -1 : PrefixLength + BinaryPrimitives.ReadUInt16BigEndian(received);

    /// <summary>Writes prefix and message; false if the destination is too small.</summary>
    /// <exception cref="ArgumentException">The message is longer than 65535 bytes and cannot be framed.</exception>
    public static bool TryWriteFrame(ReadOnlySpan<byte> message, Span<byte> destination, out int written)
    {
        written = 0;
        if (message.Length > DnsLimits.MaxMessageLength)
            throw new ArgumentException($"a framed message holds at most {DnsLimits.MaxMessageLength} bytes, not {message.Length}", nameof(message));
        if (destination.Length < PrefixLength + message.Length)
            return false;
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)message.Length);
        message.CopyTo(destination[PrefixLength..]);
        written = PrefixLength + message.Length;
        return true;
    }

    /// <summary>Writes just the prefix, for sending the message from its own buffer (vectored send).</summary>
    /// <exception cref="ArgumentException">Length outside 0..65535, or the destination is shorter than 2 bytes.</exception>
    public static void WritePrefix(Span<byte> destination, int messageLength)
    {
        if (messageLength is < 0 or > DnsLimits.MaxMessageLength)
            throw new ArgumentException($"a framed message holds 0..{DnsLimits.MaxMessageLength} bytes, not {messageLength}", nameof(messageLength));
        if (destination.Length < PrefixLength)
            throw new ArgumentException("the prefix takes 2 bytes", nameof(destination));
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)messageLength);
    }
}
