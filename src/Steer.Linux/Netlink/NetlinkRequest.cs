using Steer.Linux.Native;

namespace Steer.Linux.Netlink;

/// <summary>Called for each reply message of the expected kind, in order.</summary>
internal delegate void ReplyHandler(in NetlinkMessage message);

/// <summary>
/// The request/reply exchange shared by every verb: send, then read replies with our sequence
/// number until the ACK (single requests) or NLMSG_DONE (dumps). Kernel errors become
/// <see cref="NetlinkException"/>; an interrupted dump is drained to its end, so the socket stays
/// in step, and then becomes <see cref="NetlinkDumpInterruptedException"/>.
/// </summary>
internal static class NetlinkRequest
{
    public static void Execute(NetlinkSocket socket, ReadOnlySpan<byte> request, uint sequence, string what, ReplyHandler onReply)
    {
        socket.Send(request);
        var state = new ExchangeState();
        while (!state.Finished)
            ReadDatagram(socket.Receive(), sequence, what, onReply, ref state);
        if (state.Interrupted)
            throw new NetlinkDumpInterruptedException(what);
    }

    private struct ExchangeState
    {
        public bool Finished;
        public bool Interrupted;
    }

    private static void ReadDatagram(ReadOnlySpan<byte> datagram, uint sequence, string what, ReplyHandler onReply, ref ExchangeState state)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (!state.Finished && reader.TryRead(out var message))
        {
            // Replies to an earlier request abandoned part-way (its caller got an exception).
            if (message.Sequence != sequence)
                continue;
            if ((message.Flags & Nl.NLM_F_DUMP_INTR) != 0)
                state.Interrupted = true;
            switch (message.Type)
            {
                case Nl.NLMSG_NOOP:
                    break;
                case Nl.NLMSG_ERROR:
                {
                    var (errno, ack) = NetlinkErrorDecoder.DecodeError(message);
                    if (errno != 0)
                        throw new NetlinkException(what, errno, ack);
                    state.Finished = true; // the ACK that ends a single request
                    break;
                }
                case Nl.NLMSG_DONE:
                {
                    var (errno, ack) = NetlinkErrorDecoder.DecodeDone(message);
                    if (errno != 0)
                        throw new NetlinkException(what, errno, ack);
                    state.Finished = true;
                    break;
                }
                case Nl.NLMSG_OVERRUN:
                    throw new NetlinkException(what, Errno.ENOBUFS, "NLMSG_OVERRUN");
                default:
                    // Once interrupted the result is thrown away; keep reading only to drain.
                    if (!state.Interrupted)
                        onReply(message);
                    break;
            }
        }
    }
}
