using System.Runtime.InteropServices;

namespace Steer.Resolver.Clients;

/// <summary>recvmmsg(2) and sendmmsg(2): many datagrams per system call.</summary>
internal static unsafe partial class BatchCalls
{
    /// <summary>Block for the first datagram, then take what is already queued.</summary>
    public const int MsgWaitForOne = 0x10000;

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMmsg(int fd, MessageBatch.MmsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMmsg(int fd, MessageBatch.MmsgHdr* messages, uint count, int flags);
}
