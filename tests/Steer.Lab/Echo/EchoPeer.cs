using System.Net;

namespace Steer.Lab;

public enum EchoProtocol { Tcp, Udp }

/// <summary>One client the echo service saw: over which protocol, from where, to which local address.</summary>
public sealed record EchoPeer(EchoProtocol Protocol, IPEndPoint Remote, IPEndPoint Local)
{
    public override string ToString() => $"{Protocol} {Remote} -> {Local}";
}

/// <summary>The echo service's answer: one line <c>SRC ADDRESS PORT</c>, the client's address and
/// port as the server saw them. Also the body of its HTTP responses.</summary>
public static class EchoReply
{
    public static string Format(IPEndPoint remote) => $"SRC {remote.Address} {remote.Port}\n";

    /// <summary>The endpoint in the first <c>SRC</c> line of <paramref name="output"/> (a client's
    /// stdout), or an exception quoting the output.</summary>
    public static IPEndPoint Parse(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length == 3 && parts[0] == "SRC" && IPAddress.TryParse(parts[1], out var address) && int.TryParse(parts[2], out var port))
                return new IPEndPoint(address, port);
        }
        throw new FormatException($"no 'SRC address port' line in: '{output}'");
    }
}
