using System.Runtime.InteropServices;
using Steer.Linux.Native;

namespace Steer.Linux.Bpf;

public sealed unsafe partial class BpfObject
{
    /// <summary>
    /// Attaches a loaded <c>SEC("socket")</c> program to a socket as its filter
    /// (<c>setsockopt(SO_ATTACH_BPF)</c>, Linux 3.19). The socket then holds its own reference to
    /// the program: this object may be disposed right after, the filter stays until the socket
    /// closes. The program's return value is how many bytes of each packet to keep; 0 drops it.
    /// </summary>
    public void AttachSocketFilter(string programName, SafeHandle socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        int programFd = ProgramFd(programName);
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            if (Libc.setsockopt((int)socket.DangerousGetHandle(), Libc.SOL_SOCKET, Libc.SO_ATTACH_BPF, &programFd, sizeof(int)) < 0)
                throw new LinuxException($"attach socket filter {programName} (SO_ATTACH_BPF)", Errno.Last);
        }
        finally
        {
            socket.DangerousRelease();
        }
    }
}
