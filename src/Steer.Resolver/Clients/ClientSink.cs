namespace Steer.Resolver.Clients;

/// <summary>Where an answer that comes later (from an upstream) goes: back to the UDP client's
/// address, or onto its TCP connection.</summary>
internal abstract class ClientSink
{
    public abstract bool IsUdp { get; }

    /// <summary>Sends one DNS message; errors (the client is gone) are swallowed: there is
    /// nobody left to tell.</summary>
    public abstract void Send(ReadOnlySpan<byte> response);
}

/// <summary>Who sent the query being handled: makes the sink a forwarded query answers to.
/// Only called on a cache miss, so the hit path allocates nothing.</summary>
internal interface IClientOrigin
{
    ClientSink CreateSink();
}
