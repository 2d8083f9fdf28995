using System.Net;
using System.Net.Sockets;

namespace Steer.Resolver.Clients;

/// <summary>
/// One thread, one SO_REUSEPORT socket on the listen address: blocking receive, handle, send,
/// with buffers of its own. The kernel spreads clients over the workers' sockets by flow hash,
/// so the workers share nothing on the hot path but the cache's buckets (read without locks).
/// </summary>
internal sealed class UdpWorker : IClientOrigin, IDisposable
{
    private readonly Socket _socket;
    private readonly QueryProcessor _processor;
    private readonly Thread _thread;
    private readonly SocketAddress _client;
    private MessageBatch? _batch;
    private int _current;
    private volatile bool _stopping;

    public UdpWorker(Socket socket, QueryProcessor processor, int index, bool batched)
    {
        _socket = socket;
        _processor = processor;
        _client = new SocketAddress(socket.AddressFamily == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        _thread = new Thread(batched ? RunBatched : Run) { IsBackground = true, Name = $"steer-dns-udp{index}" };
    }

    public ResolverCounters Counters { get; } = new();

    public void Start() => _thread.Start();

    /// <summary>The sink a forwarded query answers to: this socket and a copy of the client's address.</summary>
    public ClientSink CreateSink() => new UdpClientSink(_socket, _batch is { } batch ? FromNative(batch.Address(_current)) : UdpClientSink.Copy(_client));

    /// <summary>A SocketAddress holding a native sockaddr as recvmmsg wrote it.</summary>
    private static SocketAddress FromNative(ReadOnlySpan<byte> sockaddr)
    {
        var family = BitConverter.ToUInt16(sockaddr) == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var address = new SocketAddress(family, sockaddr.Length);
        sockaddr.CopyTo(address.Buffer.Span);
        return address;
    }

    /// <summary>
    /// The loop with recvmmsg/sendmmsg: block for one datagram, take up to 32 already queued,
    /// answer them all, send the answers with one call. Under load this turns two system calls
    /// per query into two per batch — on a virtual machine, where each system call is dear,
    /// that is most of the cost of a cache hit.
    /// </summary>
    private unsafe void RunBatched()
    {
        var batch = new MessageBatch();
        var response = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);
        var scratch = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);
        bool referenced = false;
        _socket.SafeHandle.DangerousAddRef(ref referenced); // the fd stays ours until this loop ends
        int fd = (int)_socket.SafeHandle.DangerousGetHandle();
        _batch = batch;
        try
        {
            while (!_stopping)
            {
                batch.ResetReceived();
                int received = BatchCalls.RecvMmsg(fd, batch.Received, MessageBatch.Capacity, BatchCalls.MsgWaitForOne, null);
                if (received <= 0)
                    continue; // EAGAIN from the receive timeout (to notice a stop), EINTR, ICMP errors
                int queued = 0;
                for (int i = 0; i < received; i++)
                {
                    _current = i;
                    if (batch.Truncated(i))
                    {
                        ResolverCounters.Add(ref Counters.Queries);
                        ResolverCounters.Add(ref Counters.Dropped);
                        continue;
                    }
                    int reply;
                    try
                    {
                        reply = _processor.Handle(batch.Query(i), response, scratch, udp: true, this, Counters);
                    }
                    catch (Exception e)
                    {
                        _processor.Fault(e);
                        continue;
                    }
                    if (reply <= 0)
                        continue;
                    if (reply <= MessageBatch.SlotBytes)
                    {
                        batch.QueueResponse(queued++, i, response.AsSpan(0, reply));
                        continue;
                    }
                    var address = batch.Address(i);
                    _client.Size = address.Length;
                    address.CopyTo(_client.Buffer.Span);
                    try { _socket.SendTo(response.AsSpan(0, reply), SocketFlags.None, _client); }
                    catch (SocketException) { }
                }
                // A failed message stops sendmmsg there: skip it and send the rest.
                for (int done = 0; done < queued;)
                {
                    int sent = BatchCalls.SendMmsg(fd, batch.Sending + done, (uint)(queued - done), 0);
                    done += sent > 0 ? sent : 1;
                }
            }
        }
        finally
        {
            _batch = null;
            batch.Dispose();
            if (referenced)
                _socket.SafeHandle.DangerousRelease();
        }
    }

    private void Run()
    {
        var received = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);
        var response = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);
        var scratch = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);
        int capacity = _client.Size;
        while (!_stopping)
        {
            int length;
            try
            {
                _client.Size = capacity;
                length = _socket.ReceiveFrom(received, SocketFlags.None, _client);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted or SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                continue; // the receive timeout lets Dispose be noticed; ICMP errors of earlier sends are not ours to act on
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                    return;
                continue;
            }
            int reply;
            try
            {
                reply = _processor.Handle(received.AsSpan(0, length), response, scratch, udp: true, this, Counters);
            }
            catch (Exception e)
            {
                _processor.Fault(e); // one bad query must not stop the worker
                continue;
            }
            if (reply <= 0)
                continue;
            try
            {
                _socket.SendTo(response.AsSpan(0, reply), SocketFlags.None, _client);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The client is gone; nothing to do.
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        if (Thread.CurrentThread != _thread && _thread.IsAlive)
            _thread.Join(TimeSpan.FromSeconds(1));
    }

    /// <summary>Opens the listen sockets: the first checks the address is free (without
    /// SO_REUSEPORT, another process's group would be joined silently and share our queries),
    /// then every worker's socket joins one SO_REUSEPORT group on the same address.</summary>
    public static Socket[] Bind(IPEndPoint endpoint, int count)
    {
        using (var probe = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(endpoint);
            if (endpoint.Port == 0)
                endpoint = (IPEndPoint)probe.LocalEndPoint!;
        }
        var sockets = new List<Socket>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                sockets.Add(socket);
                socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1)); // SOL_SOCKET, SO_REUSEPORT
                socket.ReceiveBufferSize = 4 << 20;
                socket.ReceiveTimeout = 250; // how soon a stopping worker notices
                socket.Bind(endpoint);
            }
            return [.. sockets];
        }
        catch
        {
            foreach (var socket in sockets)
                socket.Dispose();
            throw;
        }
    }
}
