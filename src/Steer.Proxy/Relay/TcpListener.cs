using Steer.Proxy.Guard;
using Steer.Proxy.Inbounds;
using Steer.Proxy.Native;

namespace Steer.Proxy.Relay;

/// <summary>
/// A listening TCP socket on one loop: the TProxy inbound (IP_TRANSPARENT, so it accepts flows to
/// any address, and the accepted socket's local address is the original destination) or the
/// SOCKS5/HTTP inbound. Every loop has its own socket on the port (SO_REUSEPORT), so accepting is
/// spread over the loops by the kernel.
/// </summary>
internal sealed unsafe class TcpListener : IPollable, IDisposable
{
    private readonly ProxyEngine _engine;
    private readonly EventLoop _loop;
    private readonly bool _transparent;
    private readonly int _fd;
    private ulong _token;

    private TcpListener(ProxyEngine engine, EventLoop loop, int fd, bool transparent)
    {
        _engine = engine;
        _loop = loop;
        _fd = fd;
        _transparent = transparent;
    }

    public static TcpListener Open(ProxyEngine engine, EventLoop loop, FlowEndpoint address, bool transparent)
    {
        // Made on the loop's thread: it is in the namespace the proxy serves.
        return loop.Invoke(() =>
        {
            var fd = SocketSetup.Listening(address, udp: false, transparent);
            var listener = new TcpListener(engine, loop, fd, transparent);
            listener._token = loop.Register(fd, Sys.EPOLLIN, listener, 0);
            return listener;
        });
    }

    public void OnEvents(int side, uint events)
    {
        var peer = new SockAddr();
        for (var i = 0; i < 64; i++)
        {
            var length = SockAddr.Size;
            var fd = Sys.accept4(_fd, &peer, &length, Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC);
            if (fd < 0)
                return; // EAGAIN, or a transient error (EMFILE): the next event retries
            var source = peer.ToEndpoint();
            if (_transparent)
                AcceptTransparent(fd, source);
            else
                new TcpFlow(_engine, _loop, fd, "socks", source, default, new MixedHandshake()).Start();
        }
    }

    private void AcceptTransparent(int fd, FlowEndpoint source)
    {
        var destination = SockAddr.LocalOf(fd);
        var refusal = _engine.Check(source, destination, udp: false, _loop.NowMs);
        if (refusal)
        {
            Sys.SetAbortiveClose(fd);
            Sys.close(fd);
            return;
        }
        new TcpFlow(_engine, _loop, fd, "tproxy", source, destination, null).Start();
    }

    public void OnTick(long nowMs)
    {
    }

    public void Dispose()
    {
        _loop.Invoke(() =>
        {
            _loop.Unregister(_fd, _token);
            Sys.close(_fd);
            return 0;
        });
    }
}
