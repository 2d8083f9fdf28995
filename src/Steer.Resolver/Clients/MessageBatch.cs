using System.Runtime.InteropServices;

namespace Steer.Resolver.Clients;

/// <summary>
/// Native memory for <c>recvmmsg</c>/<c>sendmmsg</c>: <see cref="Capacity"/> slots, each with a
/// receive buffer, a response buffer and the peer's address, and the mmsghdr arrays pointing at
/// them. Allocated once per worker and never moved, so the kernel can be handed raw pointers.
/// </summary>
internal sealed unsafe class MessageBatch : IDisposable
{
    /// <summary>Datagrams taken per syscall.</summary>
    public const int Capacity = 32;

    /// <summary>Largest query taken in a batch; a longer one arrives with MSG_TRUNC and is
    /// dropped and counted (no client sends a 4 KiB query). Responses longer than this are sent
    /// on their own, not batched.</summary>
    public const int SlotBytes = 4096;

    private const int AddressBytes = 128; // sockaddr_storage
    private readonly byte* _memory;

    public MessageBatch()
    {
        nuint size = (nuint)(Capacity * (2 * SlotBytes + AddressBytes) + 2 * Capacity * (sizeof(MmsgHdr) + sizeof(IoVec)));
        _memory = (byte*)NativeMemory.AllocZeroed(size);
        Received = (MmsgHdr*)_memory;
        Sending = Received + Capacity;
        var receiveVecs = (IoVec*)(Sending + Capacity);
        var sendVecs = receiveVecs + Capacity;
        byte* buffers = (byte*)(sendVecs + Capacity);
        for (int i = 0; i < Capacity; i++)
        {
            receiveVecs[i] = new IoVec { Base = buffers + i * SlotBytes, Length = SlotBytes };
            sendVecs[i] = new IoVec { Base = buffers + (Capacity + i) * SlotBytes, Length = 0 };
            Received[i].Header.Iov = &receiveVecs[i];
            Received[i].Header.IovLength = 1;
            Received[i].Header.Name = buffers + 2 * Capacity * SlotBytes + i * AddressBytes;
        }
    }

    public MmsgHdr* Received { get; }

    public MmsgHdr* Sending { get; }

    /// <summary>Makes every receive slot ready for the next recvmmsg.</summary>
    public void ResetReceived()
    {
        for (int i = 0; i < Capacity; i++)
        {
            Received[i].Header.NameLength = AddressBytes;
            Received[i].Header.Flags = 0;
            Received[i].Length = 0;
        }
    }

    public Span<byte> Query(int i) => new(Received[i].Header.Iov->Base, (int)Received[i].Length);

    public bool Truncated(int i) => (Received[i].Header.Flags & MsgTrunc) != 0;

    public ReadOnlySpan<byte> Address(int i) => new(Received[i].Header.Name, (int)Received[i].Header.NameLength);

    /// <summary>Queues <paramref name="response"/> (at most <see cref="SlotBytes"/>) as send
    /// number <paramref name="count"/>, to the address received in slot <paramref name="from"/>.</summary>
    public void QueueResponse(int count, int from, ReadOnlySpan<byte> response)
    {
        var send = &Sending[count];
        var vec = (IoVec*)(Sending + Capacity) + Capacity + count;
        response.CopyTo(new Span<byte>(vec->Base, SlotBytes));
        vec->Length = (nuint)response.Length;
        send->Header.Iov = vec;
        send->Header.IovLength = 1;
        send->Header.Name = Received[from].Header.Name;
        send->Header.NameLength = Received[from].Header.NameLength;
        send->Length = 0;
    }

    public void Dispose() => NativeMemory.Free(_memory);

    private const int MsgTrunc = 0x20;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MmsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
