using System.Net;
using System.Net.Sockets;
using Steer.Dns;
using Steer.Linux.Native;

namespace Steer.Proxy.Names;

/// <summary>
/// Resolves the names of SOCKS/HTTP CONNECT requests through Steer's own resolver (the
/// <c>dns.listen</c> address of steer.yaml) rather than the system's: that resolver asks the
/// upstream the name's rule says and writes the answer's addresses into the kernel decision map
/// before it answers, so the proxy's dial and every later flow to those addresses agree with the
/// name's rule. A plain stub: A first, AAAA when there is none, over UDP, two tries.
/// </summary>
internal sealed class OwnResolver(IPEndPoint server, string? netnsPath)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public IPEndPoint Server { get; } = server;

    /// <summary>The address to ask for a listen address: a wildcard listens on loopback too.</summary>
    public static IPEndPoint ServerFor(IPAddress listen, int port) => new(
        listen.Equals(IPAddress.Any) ? IPAddress.Loopback : listen.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : listen, port);

    /// <summary>The first address of <paramref name="name"/>, or null (no such name, no answer).</summary>
    public async Task<IPAddress?> ResolveAsync(string name, CancellationToken cancel = default)
    {
        if (!DnsName.TryParse(name, out var dnsName, out _))
            return null;
        return await QueryAsync(dnsName, DnsType.A, cancel).ConfigureAwait(false)
            ?? await QueryAsync(dnsName, DnsType.AAAA, cancel).ConfigureAwait(false);
    }

    private async Task<IPAddress?> QueryAsync(DnsName name, DnsType type, CancellationToken cancel)
    {
        // Made in the engine's namespace (tests run it in a lab), used from any thread.
        using var socket = netnsPath is null ? Open() : NetNamespace.Run(netnsPath, Open);
        var query = new byte[512];
        var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        if (!DnsQueries.TryWrite(query, id, name, type, edns: null, out var length))
            return null;
        var reply = new byte[4096];
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await socket.SendAsync(query.AsMemory(0, length), SocketFlags.None, cancel).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(Timeout);
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(reply, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    if (!DnsMessage.TryParse(reply.AsSpan(0, n), out var message, out _) || message!.Header.Id != id || !message.Header.IsResponse)
                        continue; // not the answer to this query
                    foreach (var record in message.Answers)
                        if (record.Type == type && record.Data is DnsAddressData data)
                            return data.Address.ToIPAddress();
                    return null;
                }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                // no answer in time: ask once more
            }
            catch (SocketException)
            {
                return null; // refused: nothing listens there
            }
        }
        return null;
    }

    private Socket Open()
    {
        var socket = new Socket(Server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(Server);
        return socket;
    }
}
