using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Steer.Lab;

/// <summary>
/// Labs not yet disposed, removed at process exit: a test run that ends (or is stopped with
/// SIGTERM, SIGINT, SIGHUP) while a lab is alive must not leave namespaces behind. SIGKILL is left
/// to the <see cref="Sweeper"/> of the next run.
/// <para>Since .NET 10 the runtime no longer raises ProcessExit on SIGTERM (checked here: the
/// process just dies), hence the explicit signal registrations; the default action (terminate)
/// still happens after the handler.</para>
/// </summary>
internal static class LiveLabs
{
    private static readonly ConcurrentDictionary<Lab, byte> Labs = new();
    private static int _hooked;
    // Kept referenced: a collected registration unregisters its handler.
    private static readonly List<PosixSignalRegistration> Signals = [];

    public static void Add(Lab lab)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP })
                Signals.Add(PosixSignalRegistration.Create(signal, _ => DisposeAll()));
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
