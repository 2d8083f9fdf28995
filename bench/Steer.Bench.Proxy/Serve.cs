using System.Runtime.InteropServices;
using Steer.Policy.Configuration;
using Steer.Proxy;

namespace Steer.Bench.Proxy;

/// <summary><c>serve CONFIG</c>: the proxy plane alone in the current namespace (the gateway's),
/// as the daemon runs it, until stdin closes or SIGTERM; then the same stop as `steer stop`.</summary>
internal static class Serve
{
    public static int Run(string configPath)
    {
        var config = ConfigLoader.LoadOrThrow(File.ReadAllText(configPath), configPath);
        using var service = ProxyService.Start(config, new ProxyOptions(), Console.Error, null)
            ?? throw new InvalidOperationException("the configuration has no proxy: section");
        Console.WriteLine("ready");
        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        _ = Task.Run(() => { Console.In.ReadToEnd(); stop.Set(); });
        stop.Wait();
        service.RemoveAll();
        return 0;
    }
}
