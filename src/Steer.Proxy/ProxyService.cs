using System.Net;
using Steer.Linux.Native;
using Steer.Policy.Configuration;
using Steer.Proxy.Interception;
using Steer.Proxy.Native;

namespace Steer.Proxy;

/// <summary>
/// The proxy plane as the daemon runs it: the engine plus its interception in the kernel. Start
/// opens the listeners before interception points at them; stop removes interception first (the
/// gateway forwards again at once), then resets every flow and clears the intercepted side's
/// TIME_WAIT sockets, so forwarded connections that reuse a 4-tuple are not black-holed.
/// </summary>
public sealed class ProxyService : IDisposable
{
    private readonly ProxyOptions _options;
    private readonly TextWriter _log;
    private readonly Func<IPAddress, string?>? _names;
    private readonly Func<IPEndPoint?>? _resolver;
    private ProxyEngine? _engine;
    private InterceptionPlan? _plan;
    private SteerConfig _config;

    private ProxyService(SteerConfig config, ProxyOptions options, TextWriter log, Func<IPAddress, string?>? names, Func<IPEndPoint?>? resolver)
    {
        _resolver = resolver;
        _config = config;
        _options = options;
        _log = log;
        _names = names;
    }

    public ProxyEngine? Engine => _engine;

    /// <summary>Starts the proxy <paramref name="config"/> asks for; null when it has no <c>proxy:</c>
    /// (after removing interception an earlier daemon may have left). <paramref name="resolver"/>:
    /// where the daemon's own resolver listens now (null when it runs none); without it, steer.yaml's
    /// <c>dns.listen</c>.</summary>
    public static ProxyService? Start(SteerConfig config, ProxyOptions options, TextWriter log, Func<IPAddress, string?>? names, Func<IPEndPoint?>? resolver = null)
    {
        if (config.Proxy is null)
        {
            if (InterceptionSetup.IsInstalled(options.InterceptMark, options.NetnsPath))
                InterceptionSetup.Remove(options.InterceptMark, config.Routing, options.NetnsPath);
            return null;
        }
        var service = new ProxyService(config, options, log, names, resolver);
        try
        {
            service.StartCore(config);
        }
        catch
        {
            service.Dispose();
            throw;
        }
        return service;
    }

    private void StartCore(SteerConfig config)
    {
        _engine = new ProxyEngine(config.Proxy!, config.Rules, _options, _log, _names);
        SetNameServer(config);
        _plan = InterceptionPlan.For(config, _options);
        if (_plan is not null)
            InterceptionSetup.Install(_plan, _options.NetnsPath);
        else
            InterceptionSetup.Remove(_options.InterceptMark, config.Routing, _options.NetnsPath);
    }

    /// <summary>Takes a new configuration, all or nothing.</summary>
    public void Apply(SteerConfig config)
    {
        if (config.Proxy is null)
        {
            Stop();
            _config = config;
            return;
        }
        if (_engine is null)
        {
            StartCore(config);
            _config = config;
            return;
        }
        var plan = InterceptionPlan.For(config, _options);
        _engine.Apply(config.Proxy, config.Rules);
        SetNameServer(config);
        try
        {
            if (plan != _plan)
            {
                if (_plan is not null)
                    InterceptionSetup.Remove(_options.InterceptMark, _config.Routing, _options.NetnsPath);
                if (plan is not null)
                    InterceptionSetup.Install(plan, _options.NetnsPath);
                _plan = plan;
            }
        }
        catch
        {
            _engine.Apply(_config.Proxy!, _config.Rules);
            SetNameServer(_config);
            if (_plan is not null)
                InterceptionSetup.Install(_plan, _options.NetnsPath);
            throw;
        }
        _config = config;
    }

    private void SetNameServer(SteerConfig config)
    {
        if (_resolver is not null)
            _engine!.NameServerSource = _resolver;
        else
            _engine!.NameServer = ProxyEngine.NameServerOf(config);
    }

    public string Summary => _engine is not { } engine
        ? "off"
        : $"{(_plan is null ? "no tproxy" : _plan.ToString())}{(engine.Settings.Socks is { } socks ? $", socks/http on {socks.Listen}" : "")}; " +
          $"{engine.Storm.LiveFlows} flows, {engine.Guard.Refused} refused by the loop guard, default via {engine.Watch.DefaultInterface(true) ?? "none"}";

    /// <summary>`steer stop`: interception out first, then every flow reset, then TIME_WAIT cleared.</summary>
    public void RemoveAll() => Stop();

    private void Stop()
    {
        var errors = new List<Exception>();
        try { InterceptionSetup.Remove(_options.InterceptMark, _config.Routing, _options.NetnsPath); }
        catch (ProxyException e) { errors.Add(e); }
        _plan = null;
        if (_engine is { } engine)
        {
            engine.Dispose();
            _engine = null;
            var closed = engine.Closed;
            if (closed.Count > 0)
            {
                var reaped = _options.NetnsPath is null
                    ? TimeWaitReaper.Reap((c, d) => closed.Contains(c, d))
                    : NetNamespace.Run(_options.NetnsPath, () => TimeWaitReaper.Reap((c, d) => closed.Contains(c, d)));
                if (reaped > 0)
                    _log.WriteLine($"steer: proxy: cleared {reaped} TIME_WAIT sockets of intercepted flows, so forwarded connections reusing their ports pass at once");
            }
        }
        if (errors.Count > 0)
            throw new ProxyException(string.Join("; ", errors.Select(e => e.Message)));
    }

    /// <summary>Releases the process's resources; the kernel's interception stays for the next daemon to adopt.</summary>
    public void Dispose()
    {
        _engine?.Dispose();
        _engine = null;
    }
}
