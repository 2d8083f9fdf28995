using System.Net;
using Steer.Policy;

namespace Steer.Linux.SocketPlane;

/// <summary>What one <c>steer run</c> binding enforces.</summary>
/// <param name="InterfaceName">The interface every steered socket is bound to.</param>
/// <param name="InterfaceIndex">Its index in the network namespace the programs run in.</param>
/// <param name="Excluded">Destinations that follow the normal routing table instead.</param>
/// <param name="Dns">Where port-53 queries go instead, or null to leave them alone.</param>
public sealed record RunBindingOptions(string InterfaceName, int InterfaceIndex, CidrList Excluded, IPEndPoint? Dns);
