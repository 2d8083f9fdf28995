using System.Net;
using Steer.Policy.Configuration;
using Steer.Proxy;

namespace Steer.Daemon.Planes;

/// <summary>
/// The proxy plane in the daemon: a thin adapter over <see cref="ProxyService"/> (Steer.Proxy),
/// which owns the TProxy/SOCKS inbounds, the loop guard and interception in the kernel.
/// </summary>
public sealed class ProxyDaemonPlane : IDaemonPlane
{
    private readonly ProxyService _service;

    private ProxyDaemonPlane(ProxyService service) => _service = service;

    /// <summary>The proxy plane, when steer.yaml has <c>proxy:</c>; the name plane's address →
    /// name map serves domain rules on intercepted flows (Steer.Proxy does not reference the daemon).</summary>
    public static IDaemonPlane? Create(SteerConfig config, PlaneContext context)
    {
        try
        {
            return ProxyService.Start(config, new ProxyOptions(), context.Log, context.AddressNames, context.Resolver) is { } service ? new ProxyDaemonPlane(service) : null;
        }
        catch (ProxyException e)
        {
            throw new PlaneException(e.Message, e);
        }
    }

    public string Name => "proxy";

    /// <summary>Without <c>proxy:</c> the plane is retired by apply (interception removed, flows
    /// reset, TIME_WAIT cleared) and a later <c>proxy:</c> starts a new one.</summary>
    public bool Uses(SteerConfig config) => config.Proxy is not null;

    public ProxyEngine? Engine => _service.Engine;

    public void Apply(SteerConfig config)
    {
        try { _service.Apply(config); }
        catch (ProxyException e) { throw new PlaneException(e.Message, e); }
    }

    public string Summary => _service.Summary;

    public void RemoveAll() => _service.RemoveAll();

    public void Dispose() => _service.Dispose();
}
