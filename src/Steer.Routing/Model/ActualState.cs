using Steer.Linux.Netlink;

namespace Steer.Routing.Model;

/// <summary>
/// What the kernel holds now, read for the diff: Steer's own routes and rules (by protocol), the
/// foreign ones that matter for collisions, the marks of Steer's nft chains, and current sysctls.
/// </summary>
/// <param name="Routes">Every route of every table (the diff picks Steer's and the colliding ones).</param>
/// <param name="Rules">Every rule, both families.</param>
/// <param name="Marks">The marks Steer's nft chains hold now; null when the chains do not exist.</param>
/// <param name="NftDrift">Why Steer's chains differ from anything Steer writes (hand edits), or null.</param>
/// <param name="Sysctls">Current values of the keys the route plane touches or touched.</param>
public sealed record ActualState(
    IReadOnlyList<Route> Routes,
    IReadOnlyList<Rule> Rules,
    IReadOnlyList<MarkBinding>? Marks,
    string? NftDrift,
    IReadOnlyDictionary<string, string> Sysctls)
{
    public static ActualState Empty { get; } = new([], [], null, null, new Dictionary<string, string>());
}
