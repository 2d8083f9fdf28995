using System.Runtime.InteropServices;

namespace Steer.Linux.Nft;

/// <summary>libnftables (libnftables.so.1) entry points, one <c>[LibraryImport]</c> each.</summary>
internal static unsafe partial class LibNftables
{
    private const string Lib = "libnftables.so.1";

    /// <summary>NFT_CTX_DEFAULT.</summary>
    internal const uint ContextDefault = 0;

    /// <summary>NFT_CTX_OUTPUT_HANDLE: listings carry each object's handle.</summary>
    internal const uint OutputHandle = 1 << 3;

    /// <summary>NFT_CTX_OUTPUT_JSON: JSON output, and JSON input accepted by run_cmd.</summary>
    internal const uint OutputJson = 1 << 4;

    [LibraryImport(Lib)]
    internal static partial nint nft_ctx_new(uint flags);

    [LibraryImport(Lib)]
    internal static partial void nft_ctx_free(nint ctx);

    [LibraryImport(Lib)]
    internal static partial void nft_ctx_output_set_flags(nint ctx, uint flags);

    [LibraryImport(Lib)]
    internal static partial int nft_ctx_buffer_output(nint ctx);

    [LibraryImport(Lib)]
    internal static partial int nft_ctx_buffer_error(nint ctx);

    [LibraryImport(Lib)]
    internal static partial byte* nft_ctx_get_output_buffer(nint ctx);

    [LibraryImport(Lib)]
    internal static partial byte* nft_ctx_get_error_buffer(nint ctx);

    [LibraryImport(Lib)]
    internal static partial int nft_run_cmd_from_buffer(nint ctx, byte* buffer);
}
