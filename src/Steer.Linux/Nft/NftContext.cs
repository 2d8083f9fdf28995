using System.Runtime.InteropServices;
using System.Text;

namespace Steer.Linux.Nft;

/// <summary>nftables refused a command; the message is libnftables' own error text.</summary>
public sealed class NftException(string message) : Exception(message);

/// <summary>
/// A libnftables context speaking JSON (libnftables-json(5)) both ways: one call is one batch,
/// and the kernel applies a batch as one transaction — all of it or none. The context talks to
/// the network namespace of the thread that runs a command: use it on one thread (wrap in
/// <see cref="Native.NetNamespace.Run"/> for another namespace). Not thread-safe.
/// </summary>
public sealed unsafe class NftContext : IDisposable
{
    private nint _ctx;

    public NftContext()
    {
        try
        {
            _ctx = LibNftables.nft_ctx_new(LibNftables.ContextDefault);
        }
        catch (DllNotFoundException e)
        {
            throw new NftException($"libnftables.so.1 is not installed (package libnftables1): {e.Message}");
        }
        if (_ctx == 0)
            throw new NftException("nft_ctx_new failed");
        LibNftables.nft_ctx_output_set_flags(_ctx, LibNftables.OutputJson | LibNftables.OutputHandle);
        // Buffered: output and errors come back as strings instead of going to stdout/stderr.
        if (LibNftables.nft_ctx_buffer_output(_ctx) != 0 || LibNftables.nft_ctx_buffer_error(_ctx) != 0)
        {
            LibNftables.nft_ctx_free(_ctx);
            throw new NftException("nft_ctx_buffer_output/error failed");
        }
    }

    /// <summary>Whether libnftables can be loaded here.</summary>
    public static bool IsAvailable => Available.Value;

    private static readonly Lazy<bool> Available = new(() => NativeLibrary.TryLoad("libnftables.so.1", out var handle) && Free(handle));

    /// <summary>Runs a JSON document (<c>{"nftables": [...]}</c>): commands in one transaction,
    /// or a list request. Returns the JSON output (empty for changes); throws the error text.</summary>
    public string Run(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ObjectDisposedException.ThrowIf(_ctx == 0, this);
        var bytes = new byte[Encoding.UTF8.GetByteCount(json) + 1];
        Encoding.UTF8.GetBytes(json, bytes);
        int rc;
        fixed (byte* p = bytes)
            rc = LibNftables.nft_run_cmd_from_buffer(_ctx, p);
        var output = Read(LibNftables.nft_ctx_get_output_buffer(_ctx));
        var error = Read(LibNftables.nft_ctx_get_error_buffer(_ctx));
        if (rc != 0)
            throw new NftException(error.Length > 0 ? error.Trim() : $"nft_run_cmd_from_buffer failed ({rc})");
        return output;
    }

    public void Dispose()
    {
        if (_ctx != 0)
        {
            LibNftables.nft_ctx_free(_ctx);
            _ctx = 0;
        }
    }

    private static string Read(byte* text) => text is null ? "" : Marshal.PtrToStringUTF8((nint)text) ?? "";

    private static bool Free(nint handle)
    {
        NativeLibrary.Free(handle);
        return true;
    }
}
