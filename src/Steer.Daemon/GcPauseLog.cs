using System.Diagnostics.Tracing;
using System.Globalization;

namespace Steer.Daemon;

/// <summary>
/// With STEER_LOG_GC=1, one log line per garbage collection: how long the runtime took to stop
/// the threads, how long the collection held them, and what it kept. A pause holds every answer
/// in flight, so this is where a resolver's tail latency is looked for first (bench/resolver).
/// Off by default: the runtime's own events, read in process, cost a little on every collection.
/// </summary>
internal sealed class GcPauseLog : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly TextWriter _log;
    private DateTime _suspendBegin, _suspendEnd, _gcStart, _gcEnd, _restartBegin;
    private string _what = "";
    private long _promoted;

    internal GcPauseLog(TextWriter log) => _log = log;

    public static GcPauseLog? StartIfAsked(TextWriter log) =>
        Environment.GetEnvironmentVariable("STEER_LOG_GC") == "1" ? new GcPauseLog(log) : null;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventName)
        {
            case "GCSuspendEEBegin_V1":
                _suspendBegin = e.TimeStamp;
                break;
            case "GCSuspendEEEnd_V1":
                _suspendEnd = e.TimeStamp;
                break;
            case "GCStart_V2":
                _gcStart = e.TimeStamp;
                _what = string.Create(CultureInfo.InvariantCulture, $"#{Payload(e, "Count")} gen{Payload(e, "Depth")} ({Reason(e)})");
                break;
            case "GCHeapStats_V2":
                _promoted = Convert.ToInt64(Payload(e, "TotalPromotedSize0"), CultureInfo.InvariantCulture)
                            + Convert.ToInt64(Payload(e, "TotalPromotedSize1"), CultureInfo.InvariantCulture);
                break;
            case "GCEnd_V1":
                _gcEnd = e.TimeStamp;
                break;
            case "GCRestartEEBegin_V1":
                _restartBegin = e.TimeStamp;
                break;
            case "GCRestartEEEnd_V1":
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"steer: gc {_what}: stopping the threads {Ms(_suspendBegin, _suspendEnd)} ms, collecting {Collecting()}, " +
                    $"restarting {Ms(_restartBegin, e.TimeStamp)} ms, threads held {Ms(_suspendBegin, e.TimeStamp)} ms; kept {_promoted >> 10} KiB"));
                break;
        }
    }

    /// <summary>A background collection runs beside the threads and stops them twice, briefly:
    /// its end comes after the pauses are logged.</summary>
    private string Collecting() => _gcEnd >= _gcStart ? $"{Ms(_gcStart, _gcEnd)} ms" : "in the background";

    private static object? Payload(EventWrittenEventArgs e, string name)
    {
        int index = e.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? e.Payload![index] : null;
    }

    private static string Reason(EventWrittenEventArgs e) => Payload(e, "Reason") switch
    {
        0u or 0 => "small allocations",
        1u or 1 => "induced",
        4u or 4 => "large allocations",
        var other => $"reason {other}",
    };

    private static string Ms(DateTime from, DateTime to) => (to - from).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);
}
