using System.Text.Json.Serialization;

namespace Steer.Daemon;

/// <summary>One request per line on the control socket; one response line back.</summary>
/// <param name="Config">For "apply": the steer.yaml to use from now on (null: the one in use).</param>
public sealed record ControlRequest(string Command, int Version = ControlRequest.ProtocolVersion, string? Config = null)
{
    public const int ProtocolVersion = 1;
}

public sealed record ControlResponse(bool Ok, string? Error = null, DaemonStatus? Status = null, string? Message = null,
    IReadOnlyList<AddressName>? Names = null, IReadOnlyList<ProxyConn>? Conns = null, ProxyLoops? Loops = null,
    IReadOnlyList<DecisionView>? Decisions = null);

/// <summary>`steer decision`, from the daemon: a kernel decision with the rule it came from (its
/// text, when the rule is still in force) and the name the address answered for.</summary>
public sealed record DecisionView(string Address, int Ifindex, uint RuleId, string? Rule, string? Name, double? SecondsLeft);

/// <summary>`steer conns`: one live flow of the proxy.</summary>
public sealed record ProxyConn(string Protocol, string Inbound, string Source, string Destination, string? Name, string? Rule,
    string? Outbound, string? Interface, string? EgressLocal, long BytesUp, long BytesDown, string State, DateTimeOffset Started);

/// <summary>`steer loops`: flows the loop guard refused, per cause.</summary>
public sealed record ProxyLoops(long Refused, int LiveEgress, long LiveFlows, long MaxFlows, int StormRate, IReadOnlyList<ProxyLoopCause> Causes);

/// <summary>One cause: what matched (the egress flow, its rule and interface), how often, when.</summary>
public sealed record ProxyLoopCause(string Cause, string Protocol, string Description, long Count, DateTimeOffset First, DateTimeOffset Last);

/// <summary>`steer rdns`: an address, the name it answered for, seconds of TTL left.</summary>
public sealed record AddressName(string Address, string Name, double SecondsLeft);

/// <summary>`steer status --json`: <c>pid</c> is the daemon's process id.</summary>
public sealed record DaemonStatus(
    bool Running,
    int Pid,
    double UptimeSeconds,
    string? Config,
    string AttachedTo,
    int Rules,
    int Decisions,
    long AnswersSeen,
    long DecisionsWritten,
    string? Resolver,
    long Queries,
    long CacheHits,
    IReadOnlyList<PlaneStatus>? Planes = null,
    Steer.Resolver.ResolverStats? ResolverStats = null,
    MapUpdateStats? MapUpdates = null,
    IReadOnlyList<string>? Warnings = null,
    RuntimeStats? Runtime = null,
    uint DecisionCapacity = 0);

/// <summary>The daemon's .NET runtime: collections per generation, the time the GC has held every
/// thread still (a pause delays every answer in flight), the bytes allocated so far, what the last
/// collection kept (promoted: survivors are copied, which is most of a pause), the managed heap and
/// the process's RSS.</summary>
public sealed record RuntimeStats(int[] Collections, double PauseTotalMs, double LastPauseMs, int LastGeneration, long LastPromotedBytes,
    long AllocatedBytes, long HeapBytes, long ResidentBytes)
{
    public static RuntimeStats Now()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        double last = 0;
        foreach (var pause in info.PauseDurations)
            last += pause.TotalMilliseconds;
        return new([GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)], GC.GetTotalPauseDuration().TotalMilliseconds, last,
            info.Generation, info.PromotedBytes, GC.GetTotalAllocatedBytes(), GC.GetTotalMemory(false), Environment.WorkingSet);
    }
}

/// <summary>Kernel decision map updates per answer: how many, and their time (µs); the buckets
/// (cumulative) let a reader take the percentiles of one phase (bench/resolver);
/// <c>CpuTime</c>: the same updates' thread CPU time, and <c>NullSyscall</c>: a system call that does
/// nothing at the same point — only with STEER_MEASURE_DECIDE_CPU=1.</summary>
public sealed record MapUpdateStats(long Count, double P50Micros, double P99Micros, double P999Micros = 0,
    IReadOnlyList<Steer.Resolver.LatencyBucket>? Buckets = null, Steer.Resolver.LatencySummary? CpuTime = null,
    Steer.Resolver.LatencySummary? NullSyscall = null)
{
    public static MapUpdateStats From(Steer.Resolver.LatencySummary s, Steer.Resolver.LatencySummary? cpu, Steer.Resolver.LatencySummary? nullSyscall) =>
        new(s.Count, s.P50Micros, s.P99Micros, s.P999Micros, s.Buckets, cpu, nullSyscall);
}

/// <summary>A plane beyond sockets and names (routes, proxy) and what it enforces now.</summary>
public sealed record PlaneStatus(string Name, string Summary);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(DaemonStatus))]
[JsonSerializable(typeof(List<AddressName>))]
internal sealed partial class ControlJson : JsonSerializerContext;
