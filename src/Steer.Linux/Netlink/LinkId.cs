using System.Text;

namespace Steer.Linux.Netlink;

/// <summary>
/// Names a link by ifindex or by name, as <c>ip</c> accepts either: <c>SetLinkUp("lo")</c> and
/// <c>SetLinkUp(3)</c> both work through the implicit conversions.
/// </summary>
public readonly record struct LinkId
{
    private const int MaxNameBytes = 15; // IFNAMSIZ - 1

    /// <summary>The ifindex, or 0 when the link is named.</summary>
    public int Index { get; }

    /// <summary>The name, or null when the link is given by index.</summary>
    public string? Name { get; }

    public LinkId(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        Index = index;
    }

    public LinkId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
            throw new ArgumentException($"\"{name}\" is not an interface name: 1..{MaxNameBytes} bytes, no '/' or whitespace", nameof(name));
        Name = name;
    }

    public static implicit operator LinkId(int index) => new(index);
    public static implicit operator LinkId(string name) => new(name);

    /// <summary>What the kernel accepts as a name (dev_valid_name): 1..15 bytes, not "." or "..",
    /// no '/', ':' or whitespace.</summary>
    public static bool IsValidName(string name) =>
        Encoding.UTF8.GetByteCount(name) is > 0 and <= MaxNameBytes
        && name is not ("." or "..")
        && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c));

    /// <summary>"dev NAME" or "index N", for messages.</summary>
    public override string ToString() => Name is not null ? $"dev {Name}" : $"index {Index}";
}
