using Steer.Daemon;
using Xunit;

namespace Steer.Integration.Tests.Daemon;

/// <summary>STEER_LOG_GC=1: a line per collection with its phases, from the runtime's own events.</summary>
public sealed class GcPauseLogTests
{
    [Fact]
    public async Task A_collection_is_logged_with_the_time_the_threads_were_held()
    {
        var lines = new StringWriter();
        var log = TextWriter.Synchronized(lines);
        using (new GcPauseLog(log))
        {
            // The runtime hands its events to listeners on a thread of its own, a little later.
            for (int i = 0; i < 50 && !lines.ToString().Contains("gen2 (induced)", StringComparison.Ordinal); i++)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
        var line = lines.ToString().Split('\n').First(l => l.Contains("gen2 (induced)", StringComparison.Ordinal));
        Assert.Matches(@"^steer: gc #\d+ gen2 \(induced\): stopping the threads \d+\.\d\d ms, collecting (\d+\.\d\d ms|in the background), restarting \d+\.\d\d ms, threads held \d+\.\d\d ms; kept \d+ KiB", line);
    }
}
