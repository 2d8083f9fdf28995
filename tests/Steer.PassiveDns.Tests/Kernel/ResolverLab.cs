using System.Net;
using Steer.Lab;
using Steer.Linux.Netlink;

namespace Steer.PassiveDns.Tests.Kernel;

/// <summary>
/// A client and a resolver joined by a veth pair; dnsmasq answers on the resolver, and a second
/// address there is free for a test's own server.
/// <code>
///  client                       resolver
///   c0 10.53.0.2  fd53::2  ──   r0 10.53.0.1   fd53::1    dnsmasq :53
///                                  10.53.0.53  fd53::53   (free for in-test servers)
/// </code>
/// dnsmasq knows www.example.org as a CNAME of edge.cdn.test (10.9.0.8, fd00:9::8), and
/// example.com (10.9.0.7, fd00:9::7).
/// </summary>
public sealed class ResolverLab : IAsyncLifetime
{
    public static readonly IPAddress Resolver4 = IPAddress.Parse("10.53.0.1"), Resolver6 = IPAddress.Parse("fd53::1");
    public static readonly IPAddress Spare4 = IPAddress.Parse("10.53.0.53"), Spare6 = IPAddress.Parse("fd53::53");
    public static readonly IPAddress Client4 = IPAddress.Parse("10.53.0.2"), Client6 = IPAddress.Parse("fd53::2");

    public Steer.Lab.Lab? Lab { get; private set; }
    public LabHost Client => Lab!["client"];
    public LabHost Resolver => Lab!["resolver"];

    /// <summary>ifindex of c0 in the client namespace, r0 in the resolver's.</summary>
    public int ClientInterface { get; private set; }
    public int ResolverInterface { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Steer.Lab.Lab.SkipReason is not null)
            return;
        Lab = await Steer.Lab.Lab.BuildAsync(t =>
        {
            var client = t.Host("client");
            var resolver = t.Host("resolver");
            t.Link(client.End("c0", "10.53.0.2/24", "fd53::2/64"), resolver.End("r0", "10.53.0.1/24", "fd53::1/64", "10.53.0.53/24", "fd53::53/64"));
        });
        ClientInterface = IndexOf(Client, "c0");
        ResolverInterface = IndexOf(Resolver, "r0");
        Resolver.Start("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file",
            "--log-facility=-", "--bind-interfaces", "--listen-address=10.53.0.1", "--listen-address=fd53::1", "--port=53",
            "--local-ttl=300", "--address=/example.com/10.9.0.7", "--address=/example.com/fd00:9::7",
            "--host-record=edge.cdn.test,10.9.0.8,fd00:9::8", "--cname=www.example.org,edge.cdn.test");
        await WaitForResolverAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Lab is not null)
            await Lab.DisposeAsync();
    }

    public static int IndexOf(LabHost host, string name) => host.Run(() =>
    {
        using var netlink = NetlinkHandle.Open();
        return netlink.GetLink(name)?.Index ?? throw new InvalidOperationException($"no {name} in {host}");
    });

    private async Task WaitForResolverAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                DnsClient.Udp(Client, Resolver4, "example.com", DnsType.A, timeoutMilliseconds: 200);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
