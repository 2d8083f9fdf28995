using Steer.Policy;

namespace Steer.Cli.Run;

internal static class RunDefaults
{
    /// <summary>Loopback is always excluded: a socket bound to another interface cannot reach it.</summary>
    public static readonly CidrList AlwaysExcluded = CidrList.Of(Cidr.Parse("127.0.0.0/8"), Cidr.Parse("::1/128"));
}
