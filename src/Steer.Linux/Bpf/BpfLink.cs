using Steer.Linux.Native;

namespace Steer.Linux.Bpf;

/// <summary>
/// An attached program (a kernel bpf_link). Disposing it detaches the program unless the link
/// was pinned: a pin keeps it attached after this process is gone, until the pin is removed.
/// </summary>
public sealed class BpfLink : IDisposable
{
    private nint handle;
    public string Description { get; }

    internal BpfLink(nint handle, string description)
    {
        this.handle = handle;
        Description = description;
    }

    public int Fd => handle != 0 ? LibBpf.bpf_link__fd(handle) : -1;

    /// <summary>Pins the link at <paramref name="path"/>: the attachment now lives as long as the pin.</summary>
    public void Pin(string path)
    {
        int result = LibBpf.bpf_link__pin(handle, path);
        if (result < 0)
            throw new LinuxException($"pin {Description} at {path}", -result);
    }

    public void Dispose()
    {
        if (handle != 0)
            _ = LibBpf.bpf_link__destroy(handle); // close(2) of the link fd; nothing to do on failure
        handle = 0;
    }
}
