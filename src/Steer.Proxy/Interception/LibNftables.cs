using System.Runtime.InteropServices;

namespace Steer.Proxy.Interception;

/// <summary>libnftables (libnftables.so.1): nftables commands as JSON, no `nft` process.</summary>
internal static partial class LibNftables
{
    private const string Lib = "libnftables.so.1";
    private const uint OutputJson = 1 << 4;

    [LibraryImport(Lib)]
    private static partial nint nft_ctx_new(uint flags);

    [LibraryImport(Lib)]
    private static partial void nft_ctx_free(nint ctx);

    [LibraryImport(Lib)]
    private static partial void nft_ctx_output_set_flags(nint ctx, uint flags);

    [LibraryImport(Lib)]
    private static partial int nft_ctx_buffer_output(nint ctx);

    [LibraryImport(Lib)]
    private static partial int nft_ctx_buffer_error(nint ctx);

    [LibraryImport(Lib)]
    private static partial nint nft_ctx_get_output_buffer(nint ctx);

    [LibraryImport(Lib)]
    private static partial nint nft_ctx_get_error_buffer(nint ctx);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int nft_run_cmd_from_buffer(nint ctx, string buffer);

    /// <summary>Runs one JSON batch (one transaction: all of it or none) in the calling thread's
    /// network namespace; returns the JSON output, throws with nft's own error text.</summary>
    public static string Run(string json)
    {
        var ctx = nft_ctx_new(0);
        if (ctx == 0)
            throw new ProxyException("nftables: cannot create a libnftables context");
        try
        {
            nft_ctx_output_set_flags(ctx, OutputJson);
            if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0)
                throw new ProxyException("nftables: cannot buffer libnftables output");
            var rc = nft_run_cmd_from_buffer(ctx, json);
            var output = Marshal.PtrToStringUTF8(nft_ctx_get_output_buffer(ctx)) ?? "";
            if (rc != 0)
            {
                var error = Marshal.PtrToStringUTF8(nft_ctx_get_error_buffer(ctx))?.Trim();
                throw new ProxyException($"nftables refused the proxy's rules: {(string.IsNullOrEmpty(error) ? $"error {rc}" : error)}");
            }
            return output;
        }
        finally
        {
            nft_ctx_free(ctx);
        }
    }
}
