using System.Collections.Concurrent;

namespace Steer.Lab;

/// <summary>
/// Labs not yet disposed, removed at process exit: a test run that ends (or is stopped with
/// SIGTERM/Ctrl-C) while a lab is alive must not leave namespaces behind. SIGKILL is left to the
/// <see cref="Sweeper"/> of the next run.
/// </summary>
internal static class LiveLabs
{
    private static readonly ConcurrentDictionary<Lab, byte> Labs = new();
    private static int _hooked;

    public static void Add(Lab lab)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();
            Console.CancelKeyPress += (_, _) => DisposeAll();
        }
        Labs.TryAdd(lab, 0);
    }

    public static void Remove(Lab lab) => Labs.TryRemove(lab, out _);

    private static void DisposeAll()
    {
        foreach (var lab in Labs.Keys)
        {
            try
            {
                lab.Dispose();
            }
            catch
            {
                // Exiting anyway; the next run's sweeper gets whatever is left.
            }
        }
    }
}
