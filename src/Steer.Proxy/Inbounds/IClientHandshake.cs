using Steer.Proxy.Native;

namespace Steer.Proxy.Inbounds;

public enum HandshakeStep { NeedMore, Done, Failed }

public enum HandshakeFailure { Refused, HostUnreachable, ConnectionRefused }

/// <summary>
/// The client side of an explicit proxy protocol (SOCKS5, HTTP CONNECT): reads the request from the
/// client socket — peeking first, consuming only whole messages, so bytes after the request stay in
/// the socket for the relay — and answers once the outbound is connected or refused.
/// </summary>
internal interface IClientHandshake
{
    /// <summary>Reads what has arrived; on Done, the destination (empty when only a name is known) and name.</summary>
    HandshakeStep Advance(int client, byte[] scratch, out FlowEndpoint destination, out string? name);

    /// <summary>The outbound is connected: tell the client. False if it could not be told.</summary>
    bool Succeed(int client, byte[] scratch, FlowEndpoint bound);

    /// <summary>The flow is refused: tell the client why, when the protocol can say it.</summary>
    void Fail(int client, byte[] scratch, HandshakeFailure failure);
}
