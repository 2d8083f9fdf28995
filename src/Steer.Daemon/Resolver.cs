using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Steer.Dns;
using Steer.Policy.Configuration;
using Steer.Policy.Rules;

namespace Steer.Daemon;

/// <summary>
/// Steer's resolver (steer.yaml <c>dns:</c>), forwarding: each query goes to the upstream its
/// name's rule calls for — one tagged with the rule's interface, asked over that interface (the
/// socket bound with SO_BINDTODEVICE), so the name never leaks to the other uplink's resolver;
/// names no rule sends elsewhere go to the untagged upstreams. The answer's addresses are handed
/// to the name plane, which writes the decisions into the kernel, and only then is the answer
/// sent: the application's first connect already finds them.
/// UDP and TCP (RFC 7766 framing) from clients; UDP to upstreams, TCP when the answer is
/// truncated. Answers are cached for their TTL (<see cref="AnswerCache"/>); a cache hit refreshes
/// the decisions too. Not yet: retries beyond the next upstream.
/// </summary>
public sealed class Resolver : IDisposable
{
    private static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(2);

    private readonly DnsSettings _settings;
    private readonly NamePlane _names;
    private readonly TextWriter _log;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly AnswerCache _cache = new();
    private long _queries, _failures;

    private Resolver(DnsSettings settings, NamePlane names, TextWriter log, Socket udp, Socket tcp)
    {
        (_settings, _names, _log, _udp, _tcp) = (settings, names, log, udp, tcp);
    }

    public IPEndPoint Listening => (IPEndPoint)_udp.LocalEndPoint!;

    public long Queries => Interlocked.Read(ref _queries);

    public long Failures => Interlocked.Read(ref _failures);

    public long CacheHits => _cache.Hits;

    public static Resolver Start(DnsSettings settings, NamePlane names, TextWriter log)
    {
        var endpoint = settings.Listen.ToIPEndPoint();
        var udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            udp.Bind(endpoint);
            tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            tcp.Bind(endpoint);
            tcp.Listen(128);
        }
        catch (SocketException e)
        {
            udp.Dispose();
            tcp.Dispose();
            throw new InvalidOperationException($"the resolver cannot listen on {endpoint}: {e.Message}", e);
        }
        var resolver = new Resolver(settings, names, log, udp, tcp);
        _ = resolver.ServeUdpAsync();
        _ = resolver.ServeTcpAsync();
        return resolver;
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        EndPoint any = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await _udp.ReceiveFromAsync(buffer, any, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            var query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            var client = received.RemoteEndPoint;
            _ = Task.Run(async () =>
            {
                var answer = await AnswerAsync(query, udpClient: true);
                if (answer is not null)
                    await _udp.SendToAsync(answer, client);
            });
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _tcp.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    while (await ReadFramedAsync(client) is { } query)
                    {
                        if (await AnswerAsync(query, udpClient: false) is not { } answer)
                            return;
                        var framed = new byte[answer.Length + 2];
                        DnsTcpFraming.WritePrefix(framed, answer.Length);
                        answer.CopyTo(framed, 2);
                        await client.SendAsync(framed);
                    }
                }
            });
        }
    }

    /// <summary>The response bytes for one query, or null to stay silent (nothing to answer to).</summary>
    private async Task<byte[]?> AnswerAsync(byte[] query, bool udpClient)
    {
        Interlocked.Increment(ref _queries);
        string name;
        int udpLimit;
        if (!DnsMessageView.TryParse(query, out var view, out _) || view.Header.IsResponse || !view.TryGetQuestion(out var question))
            return FormatError(query);
        name = question.Name.ToString();
        udpLimit = DnsTruncation.UdpLimitFor(view);

        var match = _names.MatchName(name);
        if (match?.Rule.Action is RejectAction)
            return Error(query, DnsRcode.Refused);
        var key = AnswerCache.KeyOf(view);
        if (key is not null && _cache.TryGet(key, view.Id, DateTime.UtcNow) is { } cached)
        {
            Decide(cached, name); // a cache hit refreshes the decisions as an upstream answer would
            return FitFor(cached, query, udpClient, udpLimit);
        }
        string? via = (match?.Rule.Action as ViaAction)?.Interface;
        var upstreams = _settings.Upstreams.Where(u => u.Interface == via).ToList();
        if (upstreams.Count == 0)
            upstreams = [.. _settings.Upstreams.Where(u => u.Interface is null)]; // still asked over `via`

        foreach (var upstream in upstreams)
        {
            var answer = await AskAsync(query, upstream.Server.ToIPEndPoint(), via ?? upstream.Interface);
            if (answer is null)
                continue;
            if (!DnsMessageView.TryParse(answer, out var response, out _) || !response.IsResponseTo(DnsMessageView.Parse(query)))
                continue;
            Decide(answer, name);
            if (key is not null)
                _cache.Store(key, answer, DateTime.UtcNow);
            return FitFor(answer, query, udpClient, udpLimit);
        }
        Interlocked.Increment(ref _failures);
        return Error(query, DnsRcode.ServFail);
    }

    /// <summary>A UDP client gets at most what it said it can take; the rest is cut, with TC set.</summary>
    private static byte[]? FitFor(byte[] answer, byte[] query, bool udpClient, int udpLimit)
    {
        if (!udpClient || answer.Length <= udpLimit)
            return answer;
        var fitted = new byte[udpLimit];
        return DnsTruncation.TryFit(DnsMessageView.Parse(answer), udpLimit, fitted, out int written, out _) ? fitted[..written] : Error(query, DnsRcode.ServFail);
    }

    /// <summary>The decisions, written before the answer leaves.</summary>
    private void Decide(byte[] answer, string question)
    {
        var view = DnsMessageView.Parse(answer);
        var chain = DnsAnswerChain.Walk(view, DnsName.Parse(question));
        if (chain.Addresses.Count == 0)
            return;
        _names.Decide([.. chain.Names.Select(n => n.ToString())], [.. chain.Addresses.Select(a => (a.Address.ToIPAddress(), a.Ttl))]);
    }

    /// <summary>One exchange with an upstream over UDP (TCP when the answer comes back truncated),
    /// from a fresh socket with a random port and ID, bound to <paramref name="device"/>.</summary>
    private async Task<byte[]?> AskAsync(byte[] clientQuery, IPEndPoint server, string? device)
    {
        var query = (byte[])clientQuery.Clone();
        ushort id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        DnsMessageEdits.SetId(query, id);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(UpstreamTimeout);
            byte[] answer;
            using (var udp = Bound(new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp), device))
            {
                await udp.ConnectAsync(server, timeout.Token);
                await udp.SendAsync(query, timeout.Token);
                var buffer = new byte[65535];
                int length;
                do
                {
                    length = await udp.ReceiveAsync(buffer, timeout.Token);
                } while (!DnsMessageEdits.TryReadId(buffer.AsSpan(0, length), out var got) || got != id);
                answer = buffer[..length];
            }
            if (DnsMessageView.TryParse(answer, out var view, out _) && view.Header.Truncated)
                answer = await AskOverTcpAsync(query, server, device, timeout.Token);
            DnsMessageEdits.SetId(answer, DnsMessageView.Parse(clientQuery).Id);
            return answer;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or FormatException)
        {
            _log.WriteLine($"steer: resolver: {server}{(device is null ? "" : $" via {device}")}: {e.Message}");
            return null;
        }
    }

    private static async Task<byte[]> AskOverTcpAsync(byte[] query, IPEndPoint server, string? device, CancellationToken cancel)
    {
        using var tcp = Bound(new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp), device);
        await tcp.ConnectAsync(server, cancel);
        var framed = new byte[query.Length + 2];
        DnsTcpFraming.WritePrefix(framed, query.Length);
        query.CopyTo(framed, 2);
        await tcp.SendAsync(framed, cancel);
        return await ReadFramedAsync(tcp) ?? throw new IOException("the upstream closed the TCP connection without answering");
    }

    private static Socket Bound(Socket socket, string? device)
    {
        if (device is not null)
        {
            // SO_BINDTODEVICE: the query leaves through the rule's interface, never another.
            var name = Encoding.ASCII.GetBytes(device + "\0");
            socket.SetRawSocketOption(1, 25, name);
        }
        return socket;
    }

    private static async Task<byte[]?> ReadFramedAsync(Socket socket)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix))
            return null;
        var message = new byte[(prefix[0] << 8) | prefix[1]];
        return await ReadExactlyAsync(socket, message) ? message : null;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        int read = 0;
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (read < buffer.Length)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(read), idle.Token);
                if (n == 0)
                    return false;
                read += n;
            }
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return false;
        }
    }

    private static byte[]? Error(byte[] query, DnsRcode rcode)
    {
        var buffer = new byte[query.Length + 64];
        return DnsResponses.TryWriteError(DnsMessageView.Parse(query), rcode, buffer, out int written) ? buffer[..written] : null;
    }

    private static byte[]? FormatError(byte[] query)
    {
        var buffer = new byte[64];
        return DnsResponses.TryWriteFormatError(query, buffer, out int written) ? buffer[..written] : null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Dispose();
        _stop.Dispose();
    }
}
