using System.Net;

namespace Steer.Lab;

/// <summary>
/// Command lines of small clients for the echo service, each printing the server's <c>SRC</c> line
/// on stdout (parse it with <see cref="EchoReply.Parse"/>). Run them in a host, bare or under
/// <c>steer run --via IFACE --</c>. They need no stdin. With <c>device</c> set, the socket is bound
/// to that interface first (<c>setsockopt(SO_BINDTODEVICE)</c> right after <c>socket()</c>).
/// </summary>
public static class Clients
{
    /// <summary>How long a UDP client waits for the reply: UDP has no end of stream, so socat
    /// only exits after this much time (the whole run takes about this long).</summary>
    public static readonly TimeSpan UdpWait = TimeSpan.FromSeconds(0.5);

    /// <summary>TCP. Syscalls (strace): <c>socket(AF_INET[6], SOCK_STREAM)</c>, a blocking
    /// <c>connect()</c>, then <c>shutdown(SHUT_WR)</c> at end of input; the server answers and closes,
    /// so socat exits at once.</summary>
    public static string[] TcpCommand(string ip, int port, string? device = null) =>
        Socat(Empty, $"TCP{V(ip)}:{Host(ip)}:{port}" + Options(device));

    /// <summary>Connected UDP. Syscalls: <c>socket(AF_INET[6], SOCK_DGRAM)</c>, <c>connect()</c>,
    /// then <c>write()</c> of 4 bytes and <c>read()</c> of the reply. Replies from another source
    /// address are dropped by the kernel (connected socket).</summary>
    public static string[] UdpConnectedCommand(string ip, int port, string? device = null) =>
        Socat(FourBytes, $"UDP{V(ip)}:{Host(ip)}:{port}" + Options(device), UdpWait);

    /// <summary>Unconnected UDP. Syscalls: <c>socket(AF_INET[6], SOCK_DGRAM)</c>, then
    /// <c>sendto(dest)</c> of 4 bytes (no <c>connect()</c>: the route is chosen per datagram) and
    /// <c>recvmsg(MSG_PEEK)</c>/<c>recvfrom()</c> of the reply.</summary>
    public static string[] UdpUnconnectedCommand(string ip, int port, string? device = null) =>
        Socat(FourBytes, $"UDP{V(ip)}-SENDTO:{Host(ip)}:{port}" + Options(device), UdpWait);

    /// <summary>HTTP GET with curl (<c>socket</c>, non-blocking <c>connect</c>, <c>sendto</c>); prints
    /// the response body, the <c>SRC</c> line. <c>--interface</c> binds to the device.</summary>
    public static string[] HttpCommand(string ip, int port, string? device = null) =>
        ["curl", "-sS", "--noproxy", "*", "--max-time", "5", .. device is null ? Array.Empty<string>() : ["--interface", device],
         $"http://{Host(ip)}:{port}/"];

    // socat's two addresses: the first reads nothing (TCP) or 4 NUL bytes (UDP: a datagram must be
    // sent for the server to know the client) and writes what comes back to stdout.
    private const string Empty = "OPEN:/dev/null!!STDOUT";
    private const string FourBytes = "OPEN:/dev/zero,readbytes=4!!STDOUT";

    private static string[] Socat(string local, string remote, TimeSpan? wait = null) =>
        ["socat", "-t", (wait ?? TimeSpan.FromSeconds(2)).TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), "-T", "10", local, remote];

    private static string V(string ip) => IPAddress.Parse(ip).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "6" : "4";

    private static string Host(string ip) => V(ip) == "6" ? $"[{ip}]" : ip;

    private static string Options(string? device) => device is null ? "" : $",so-bindtodevice={device}";
}
