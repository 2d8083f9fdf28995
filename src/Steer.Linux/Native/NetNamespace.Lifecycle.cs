namespace Steer.Linux.Native;

// Named namespaces made and removed the way iproute2 does, so `ip netns` sees ours and we see its.
public static partial class NetNamespace
{
    /// <summary>Where <c>ip netns</c> keeps its named namespaces.</summary>
    public const string RunDirectory = "/run/netns";

    private const int NameMax = 255; // NAME_MAX: a single path component

    /// <summary>
    /// <c>ip netns add NAME</c>: a new, empty network namespace (only a down <c>lo</c>) kept alive
    /// by a bind mount at <c>/run/netns/NAME</c>, which this returns. Fails with EEXIST when the
    /// name is taken. Needs CAP_SYS_ADMIN.
    /// </summary>
    public static string Create(string name)
    {
        CheckName(name);
        var path = PathOf(name);
        MakeRunDirectoryShared();
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0);
        if (fd < 0)
            throw new LinuxException($"ip netns add {name}: create {path}", Errno.Last);
        Libc.close(fd);
        try
        {
            RunOnThrowawayThread(name, () =>
            {
                // unshare moves only this thread, which ends right after: nothing else ever runs
                // in the new namespace by accident. The mount then holds it alive.
                LinuxException.ThrowIfNegative(Libc.unshare(Libc.CLONE_NEWNET), $"ip netns add {name}: unshare(CLONE_NEWNET)");
                LinuxException.ThrowIfNegative(Libc.mount("/proc/thread-self/ns/net", path, "none", Libc.MS_BIND, null),
                    $"ip netns add {name}: bind-mount the namespace on {path}");
            });
        }
        catch
        {
            Libc.unlink(path);
            throw;
        }
        return path;
    }

    /// <summary><c>ip netns del NAME</c>: detaches the mount and removes the file. The namespace
    /// itself lives on while a process, socket or open fd still holds it. Fails with ENOENT when
    /// there is no such name.</summary>
    public static void Delete(string name)
    {
        CheckName(name);
        var path = PathOf(name);
        // EINVAL: not a mount point (a half-made namespace); the file is still worth removing.
        if (Libc.umount2(path, Libc.MNT_DETACH) < 0 && Errno.Last is var errno && errno != Errno.EINVAL)
            throw new LinuxException($"ip netns del {name}: umount {path}", errno);
        LinuxException.ThrowIfNegative(Libc.unlink(path), $"ip netns del {name}: remove {path}");
    }

    /// <summary>
    /// A new namespace's mount must propagate to every mount namespace (a process that entered
    /// one with <c>ip netns exec</c> has its own), so /run/netns must be a shared mount point.
    /// Made one the way ip does: mark it shared; if it is not a mount point yet (EINVAL), bind it
    /// onto itself first.
    /// </summary>
    private static void MakeRunDirectoryShared()
    {
        if (Libc.mkdir(RunDirectory, 0b111_101_101) < 0 && Errno.Last is var errno && errno != Errno.EEXIST)
            throw new LinuxException($"mkdir {RunDirectory}", errno);
        bool boundOntoItself = false;
        while (Libc.mount("", RunDirectory, "none", Libc.MS_SHARED | Libc.MS_REC, null) < 0)
        {
            int failed = Errno.Last;
            if (failed != Errno.EINVAL || boundOntoItself)
                throw new LinuxException($"make {RunDirectory} a shared mount", failed);
            LinuxException.ThrowIfNegative(Libc.mount(RunDirectory, RunDirectory, "none", Libc.MS_BIND | Libc.MS_REC, null),
                $"bind-mount {RunDirectory} onto itself");
            boundOntoItself = true;
        }
    }

    private static void RunOnThrowawayThread(string name, Action work)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "netns add " + name };
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw failure;
    }

    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Length > NameMax || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
            throw new ArgumentException($"\"{name}\" is not a namespace name: a single path component is needed", nameof(name));
    }
}
