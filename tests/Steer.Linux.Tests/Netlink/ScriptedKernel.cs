using System.Net.Sockets;
using System.Runtime.InteropServices;
using Steer.Linux.Netlink;

namespace Steer.Linux.Tests.Netlink;

/// <summary>
/// A fake kernel at the other end of a connected AF_UNIX datagram pair: for each request it
/// receives, it answers with the next scripted datagrams, stamped with the request's sequence
/// number. Lets tests drive replies the real kernel rarely produces (interrupted dumps).
/// </summary>
internal sealed class ScriptedKernel : IDisposable
{
    private readonly Socket _kernel;
    private readonly Queue<Func<uint, byte[][]>> _script = new();
    private readonly Task _serving;

    public NetlinkHandle Handle { get; }

    public ScriptedKernel(params Func<uint, byte[][]>[] repliesPerRequest)
    {
        foreach (var replies in repliesPerRequest)
            _script.Enqueue(replies);
        var tag = $"steer-nl-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var kernelAddress = new UnixDomainSocketEndPoint("\0" + tag + "-k");
        var userAddress = new UnixDomainSocketEndPoint("\0" + tag + "-u");
        _kernel = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var user = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _kernel.Bind(kernelAddress);
        user.Bind(userAddress);
        _kernel.Connect(userAddress);
        user.Connect(kernelAddress);
        Handle = new NetlinkHandle(NetlinkSocket.Wrap(user));
        _serving = Task.Run(Serve);
    }

    private void Serve()
    {
        var request = new byte[4096];
        while (_script.Count > 0)
        {
            _kernel.Receive(request);
            uint sequence = MemoryMarshal.Read<uint>(request.AsSpan(8, 4)); // nlmsg_seq
            foreach (var datagram in _script.Dequeue()(sequence))
                _kernel.Send(datagram);
        }
    }

    public void Dispose()
    {
        Handle.Dispose();
        _kernel.Dispose();
        _ = _serving.Exception; // observed; a failed script shows up as a failed request instead
    }
}
