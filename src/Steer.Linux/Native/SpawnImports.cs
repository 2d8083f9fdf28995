using System.Runtime.InteropServices;

namespace Steer.Linux.Native;

/// <summary>posix_spawn(3) and waitpid(2): see <see cref="Processes.SpawnedProcess"/>.</summary>
internal static unsafe partial class SpawnImports
{
    private const string Lib = "libc";

    // glibc x86-64: posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80, sigset_t 128.
    // Buffers are rounded up so a libc with larger ones cannot write past them.
    internal const int AttrSize = 512, FileActionsSize = 256, SigsetSize = 256;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSID = 0x80;

    /// <summary>Returns an errno value (0 on success); errno itself is not set.</summary>
    [LibraryImport(Lib)]
    internal static partial int posix_spawnp(int* pid, byte* file, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int flags, int mode);

    /// <summary>An anonymous file in memory: where a spawned child's output is collected.</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    internal const uint MFD_CLOEXEC = 1;

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Lib)]
    internal static partial int sigemptyset(void* set);

    [LibraryImport(Lib)]
    internal static partial int sigfillset(void* set);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int waitpid(int pid, int* status, int options);

    /// <summary>siginfo_t is 128 bytes; for SIGCHLD si_code is at offset 8 and si_status at 24.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int waitid(int idType, int id, byte* info, int options);

    internal const int SiginfoSize = 128, SiCodeOffset = 8, SiStatusOffset = 24;
    internal const int P_PID = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    internal const int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
}
