using System.Globalization;
using Steer.Bench.Proxy;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args is ["serve", var config])
    return Serve.Run(config);

var options = BenchOptions.Parse(args);
if (options is null)
    return 2;
if (Steer.Lab.Lab.SkipReason is { } reason)
{
    Console.Error.WriteLine($"bench/proxy: {reason}");
    return 2;
}
try
{
    await ProxyBench.RunAsync(options);
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"bench/proxy: could not measure: {e}");
    return 2;
}

internal sealed record BenchOptions(int Rounds, int Seconds, bool SkipV2ray, int IdleConnections, bool OnlyV2ray = false)
{
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions(3, 3, false, 1000);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": options = options with { Rounds = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                case "--seconds": options = options with { Seconds = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                case "--no-v2ray": options = options with { SkipV2ray = true }; break;
                case "--only-v2ray": options = options with { OnlyV2ray = true }; break;
                case "--idle": options = options with { IdleConnections = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                default:
                    Console.Error.WriteLine("usage: bench/proxy/run.sh [--rounds N (3)] [--seconds S per run (3)] [--idle N (1000)] [--no-v2ray]");
                    return null;
            }
        }
        return options;
    }
}
