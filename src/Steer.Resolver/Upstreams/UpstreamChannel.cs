using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Steer.Resolver.Upstreams;

/// <summary>
/// One UDP socket to one upstream: connected (the kernel drops datagrams from anyone else),
/// bound to the group's interface, with its own random source port. Pending queries sit in a
/// slot per query ID; the receive loop hands each datagram to the forwarder with the slot's query.
/// </summary>
internal sealed class UpstreamChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly PendingQuery?[] _slots = new PendingQuery?[ushort.MaxValue + 1];
    private readonly Forwarder _forwarder;
    private int _sent;
    private int _disposed;

    public UpstreamChannel(IPEndPoint server, string? device, Forwarder forwarder)
    {
        _forwarder = forwarder;
        _socket = DeviceBinding.Bind(new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp), device);
        try
        {
            _socket.ReceiveBufferSize = 1 << 20;
            _socket.ReceiveTimeout = 250; // how soon the thread notices Dispose
            _socket.Connect(server);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        new Thread(ReceiveLoop) { IsBackground = true, Name = $"steer-dns-up {server}" }.Start();
    }

    /// <summary>Queries sent through this socket so far.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Registers <paramref name="query"/> under a random free ID; false when none was
    /// found in a few tries (65,536 queries in flight on one socket: overload).</summary>
    public bool TryRegister(PendingQuery query, out ushort id)
    {
        for (int i = 0; i < 16; i++)
        {
            id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
            if (Interlocked.CompareExchange(ref _slots[id], query, null) is null)
                return true;
        }
        id = 0;
        return false;
    }

    /// <summary>Takes <paramref name="query"/> out of slot <paramref name="id"/> if it is still there.</summary>
    public bool TryTake(ushort id, PendingQuery query) => Interlocked.CompareExchange(ref _slots[id], null, query) == query;

    public PendingQuery? Peek(ushort id) => Volatile.Read(ref _slots[id]);

    public void Send(ReadOnlySpan<byte> query)
    {
        Interlocked.Increment(ref _sent);
        _socket.Send(query);
    }

    /// <summary>A thread of its own, blocking in recv: answers are handled the moment they
    /// arrive, with no hop through the thread pool (which busy machines delay by milliseconds).</summary>
    private void ReceiveLoop()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);
        var scratch = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);
        while (Volatile.Read(ref _disposed) == 0)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer, SocketFlags.None);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // The receive timeout (to notice Dispose); ECONNREFUSED from an ICMP port
                // unreachable, and the like: pending queries time out and fail over, nothing
                // here says which one it was.
                continue;
            }
            if (length < 2)
            {
                _forwarder.Rejected();
                continue;
            }
            try
            {
                _forwarder.OnDatagram(this, BinaryPrimitives.ReadUInt16BigEndian(buffer), buffer.AsSpan(0, length), scratch);
            }
            catch (Exception e)
            {
                _forwarder.Fault(e); // never let one answer stop the loop
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _socket.Dispose();
    }
}
