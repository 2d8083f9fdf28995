namespace Steer.Proxy.Relay;

/// <summary>Something with fds registered on an <see cref="EventLoop"/>: a listener, a flow, a UDP socket.</summary>
internal interface IPollable
{
    /// <summary>Readiness of the fd registered with <paramref name="side"/>; runs on the loop's thread.</summary>
    void OnEvents(int side, uint events);

    /// <summary>About once a second, on the loop's thread: idle timeouts and expiry.</summary>
    void OnTick(long nowMs);
}
