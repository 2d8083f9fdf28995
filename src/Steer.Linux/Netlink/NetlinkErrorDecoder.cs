using System.Runtime.InteropServices;

namespace Steer.Linux.Netlink;

/// <summary>
/// Reads NLMSG_ERROR (struct nlmsgerr) and the error word of NLMSG_DONE, with the extended-ack
/// text the kernel appends when NETLINK_EXT_ACK is on.
/// </summary>
internal static class NetlinkErrorDecoder
{
    /// <summary>
    /// The errno (positive; 0 for an ACK) and the NLMSGERR_ATTR_MSG text of an NLMSG_ERROR.
    /// Layout: int error; struct nlmsghdr of the request; the request's payload unless
    /// NLM_F_CAPPED; then, with NLM_F_ACK_TLVS, attributes.
    /// </summary>
    public static (int Errno, string? Ack) DecodeError(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < 4 + Nl.HeaderSize)
            throw new NetlinkParseException($"NLMSG_ERROR payload of {payload.Length} bytes, needs {4 + Nl.HeaderSize}", message.Offset);
        int error = MemoryMarshal.Read<int>(payload);
        if ((message.Flags & Nl.NLM_F_ACK_TLVS) == 0)
            return (-error, null);
        int echoed = Nl.HeaderSize;
        if ((message.Flags & Nl.NLM_F_CAPPED) == 0)
        {
            uint requestLength = MemoryMarshal.Read<uint>(payload[4..]);
            if (requestLength < Nl.HeaderSize || requestLength > (uint)(payload.Length - 4))
                throw new NetlinkParseException($"NLMSG_ERROR echoes a request of {requestLength} bytes in {payload.Length - 4}", message.Offset);
            echoed = Nl.Align((int)requestLength);
        }
        int tlvs = Math.Min(payload.Length, 4 + echoed);
        return (-error, FindAckMessage(payload[tlvs..]));
    }

    /// <summary>
    /// The errno of an NLMSG_DONE (0 for a dump that ended well) and its extended ack: a dump that
    /// fails part-way reports the error here instead of in an NLMSG_ERROR.
    /// </summary>
    public static (int Errno, string? Ack) DecodeDone(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < 4)
            return (0, null); // Very old kernels sent an empty NLMSG_DONE.
        int error = MemoryMarshal.Read<int>(payload);
        string? ack = (message.Flags & Nl.NLM_F_ACK_TLVS) != 0 ? FindAckMessage(payload[4..]) : null;
        return (-error, ack);
    }

    private static string? FindAckMessage(ReadOnlySpan<byte> attributes)
    {
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out var attribute))
            if (attribute.Type == Nl.NLMSGERR_ATTR_MSG)
                return attribute.GetString();
        return null;
    }
}
