namespace Steer.Policy;

/// <summary>
/// Binary trie over one address family, answering "longest network containing this address".
/// One node per prefix bit: simple and obviously correct, which matters more than speed here
/// (it serves explanations, not packets).
/// </summary>
internal sealed class PrefixTrie(int width)
{
    private sealed class Node
    {
        public readonly Node?[] Children = new Node?[2];
        public Cidr? Network;
    }

    private readonly Node _root = new();

    /// <param name="bits">Network address, host bits clear, right-aligned in <c>width</c> bits.</param>
    /// <returns>False when the trie already held this network (a duplicate).</returns>
    public bool Add(Bits128 bits, int prefixLength, Cidr network)
    {
        var node = _root;
        for (var i = 0; i < prefixLength; i++)
            node = node.Children[AddressBits.BitAt(bits, i, width)] ??= new Node();
        if (node.Network.HasValue)
            return false;
        node.Network = network;
        return true;
    }

    public bool TryFindLongest(Bits128 address, out Cidr network)
    {
        Cidr? best = null;
        Node? node = _root;
        for (var i = 0; node is not null; i++)
        {
            best = node.Network ?? best;
            node = i < width ? node.Children[AddressBits.BitAt(address, i, width)] : null;
        }
        network = best.GetValueOrDefault();
        return best.HasValue;
    }

    /// <summary>
    /// The longest network strictly shorter than <paramref name="prefixLength"/> that contains
    /// <paramref name="bits"/>: for a network in the trie, the one it is carved out of.
    /// </summary>
    public bool TryFindEnclosing(Bits128 bits, int prefixLength, out Cidr network)
    {
        Cidr? best = null;
        Node? node = _root;
        for (var i = 0; node is not null && i < prefixLength; i++)
        {
            best = node.Network ?? best;
            node = node.Children[AddressBits.BitAt(bits, i, width)];
        }
        network = best.GetValueOrDefault();
        return best.HasValue;
    }
}
