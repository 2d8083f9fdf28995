using System.Net;
using Steer.Policy;

namespace Steer.Bench.Connect;

/// <summary>
/// The <c>--exclude-file</c> of the steered variant: distinct random networks, none of which
/// covers an address the benchmark connects to, so every connect() is looked up in the full
/// exclusion trie and then bound. Four in five are IPv4 (Steer keeps them as IPv4-mapped IPv6
/// prefixes in the same trie), one in five IPv6. One in ten lies close to a target (inside its
/// /8), so the lookup walks deep into the trie instead of leaving at the first bits. A fixed seed
/// makes every run load the same list.
/// </summary>
internal static class ExclusionFile
{
    private const int Seed = 20_251_001;

    public static void Write(string path, int count, IReadOnlyList<IPAddress> avoid)
    {
        var random = new Random(Seed);
        var networks = new HashSet<Cidr>();
        while (networks.Count < count)
        {
            var ipv6 = random.Next(5) == 0;
            var near = random.Next(10) == 0 ? avoid.FirstOrDefault(a => a.AddressFamily == Family(ipv6)) : null;
            var cidr = Random(random, ipv6, near);
            if (!avoid.Any(cidr.Contains))
                networks.Add(cidr);
        }
        using var writer = new StreamWriter(path);
        writer.WriteLine($"# bench/connect: {count} random networks (seed {Seed}), none covering {string.Join(", ", avoid)}");
        foreach (var cidr in networks)
            writer.WriteLine(cidr.ToString());
    }

    private static System.Net.Sockets.AddressFamily Family(bool ipv6) =>
        ipv6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork;

    /// <summary>IPv4 prefixes /8–/32, IPv6 /16–/128; near a target, the first byte is the target's.</summary>
    private static Cidr Random(Random random, bool ipv6, IPAddress? near)
    {
        var bytes = new byte[ipv6 ? 16 : 4];
        random.NextBytes(bytes);
        if (near is not null)
            bytes[0] = near.GetAddressBytes()[0];
        else if (!ipv6 && bytes[0] is 0 or 127 or >= 224)
            bytes[0] = 100; // keep to unicast space, as real exclusion lists do
        var prefix = ipv6 ? random.Next(16, 129) : random.Next(8, 33);
        return new Cidr(new IPAddress(bytes), prefix);
    }
}
