namespace Steer.Linux.Native;

/// <summary>
/// Runs code inside another network namespace. A namespace belongs to a thread, so the work runs
/// on a dedicated thread that enters the namespace and dies afterwards; sockets it creates stay in
/// that namespace for their whole life, whichever thread later uses them.
/// </summary>
public static partial class NetNamespace
{
    /// <summary>Runs <paramref name="work"/> in the namespace at <paramref name="nsPath"/>
    /// (for example <c>/run/netns/NAME</c>) and returns its result.</summary>
    public static T Run<T>(string nsPath, Func<T> work)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(nsPath, FileMode.Open, FileAccess.Read);
                if (Libc.setns((int)ns.DangerousGetHandle(), Libc.CLONE_NEWNET) < 0)
                    throw new LinuxException($"setns({nsPath})", Errno.Last);
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "netns " + Path.GetFileName(nsPath) };
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw failure is LinuxException ? failure : new InvalidOperationException($"in network namespace {nsPath}: {failure.Message}", failure);
        return result!;
    }

    /// <summary>Moves the calling thread into the namespace at <paramref name="nsPath"/> for the rest
    /// of its life: for a long-lived worker thread of the caller's own that serves one namespace
    /// (never a thread-pool thread, which would carry the namespace to unrelated work).</summary>
    public static void EnterOnCurrentThread(string nsPath)
    {
        using var ns = File.OpenHandle(nsPath, FileMode.Open, FileAccess.Read);
        if (Libc.setns((int)ns.DangerousGetHandle(), Libc.CLONE_NEWNET) < 0)
            throw new LinuxException($"setns({nsPath})", Errno.Last);
    }

    /// <summary>The path of a namespace made by <c>ip netns add NAME</c> or <see cref="Create"/>.</summary>
    public static string PathOf(string name) => RunDirectory + "/" + name;

    /// <summary>Opens the namespace at <paramref name="nsPath"/>, for calls that take a namespace
    /// by fd (moving a link, creating a veth peer there). Keep it open for as long as it is used.</summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle Open(string nsPath) =>
        File.OpenHandle(nsPath, FileMode.Open, FileAccess.Read);
}
