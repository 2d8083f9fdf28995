using System.Runtime.InteropServices;
using System.Text;
using Steer.Linux.Native;

namespace Steer.Linux.Bpf;

/// <summary>
/// Captures what libbpf prints (warnings, the verifier log of a failed load) instead of letting
/// it reach stderr, so that a failure can be reported as one exception with the log attached.
/// </summary>
internal static unsafe class LibBpfLog
{
    private static readonly Lock Gate = new();
    private static readonly StringBuilder Captured = new();
    private static bool installed;

    /// <summary>Starts capturing; the returned text is everything libbpf printed since.</summary>
    internal static void Start()
    {
        lock (Gate)
        {
            if (!installed)
            {
                LibBpf.libbpf_set_print(&Print);
                installed = true;
            }
            Captured.Clear();
        }
    }

    internal static string Take()
    {
        lock (Gate)
        {
            var text = Captured.ToString();
            Captured.Clear();
            return text;
        }
    }

    [UnmanagedCallersOnly]
    private static int Print(int level, byte* format, nint args)
    {
        // va_list is passed as a pointer on the ABIs .NET runs on under Linux; vsnprintf consumes it.
        // A verifier log arrives as one message of up to a few hundred KiB.
        const int Size = 1 << 20;
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Size);
        string text;
        fixed (byte* buffer = rented)
        {
            int written = Libc.vsnprintf(buffer, Size, format, args);
            text = written <= 0 ? "" : Encoding.UTF8.GetString(buffer, Math.Min(written, Size - 1));
        }
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        lock (Gate)
        {
            if (Captured.Length < 1 << 20)
                Captured.Append(text);
        }
        return 0;
    }
}
