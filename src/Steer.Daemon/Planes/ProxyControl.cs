namespace Steer.Daemon.Planes;

/// <summary>The control socket's <c>conns</c> and <c>loops</c>: the proxy plane's live flows and the loop guard's refusals.</summary>
internal static class ProxyControl
{
    private const string NoProxy = "the proxy is not running (no proxy: section in steer.yaml)";

    public static ControlResponse Conns(PlaneSet? planes)
    {
        if (Engine(planes) is not { } engine)
            return new ControlResponse(false, NoProxy);
        return new ControlResponse(true, Conns: [.. engine.Flows().Select(f => new ProxyConn(f.Protocol, f.Inbound, f.Source, f.Destination, f.Name, f.Rule,
            f.Outbound, f.Interface, f.EgressLocal, f.BytesUp, f.BytesDown, f.State, f.Started))]);
    }

    public static ControlResponse Loops(PlaneSet? planes)
    {
        if (Engine(planes) is not { } engine)
            return new ControlResponse(false, NoProxy);
        var guard = engine.Guard;
        return new ControlResponse(true, Loops: new ProxyLoops(guard.Refused, guard.LiveEgress, engine.Storm.LiveFlows, engine.Storm.MaxFlows, engine.Storm.RatePerSecond,
            [.. guard.Causes.OrderBy(c => c.First).Select(c => new ProxyLoopCause(Steer.Proxy.Guard.LoopGuard.Text(c.Cause), c.Protocol, c.Description, c.Count, c.First, c.Last))]));
    }

    private static Steer.Proxy.ProxyEngine? Engine(PlaneSet? planes) =>
        planes?.Planes.OfType<ProxyDaemonPlane>().FirstOrDefault()?.Engine;
}
