using Steer.Linux.Nft;

namespace Steer.Proxy.Interception;

/// <summary>The proxy's nftables batches, through the interop layer's libnftables context (JSON,
/// one transaction per batch, in the calling thread's network namespace); nft's own error text
/// comes back as a <see cref="ProxyException"/> that says it was the proxy's rules.</summary>
internal static class ProxyNft
{
    public static string Run(string json)
    {
        try
        {
            using var nft = new NftContext();
            return nft.Run(json);
        }
        catch (NftException e)
        {
            throw new ProxyException($"nftables refused the proxy's rules: {e.Message}");
        }
    }
}
