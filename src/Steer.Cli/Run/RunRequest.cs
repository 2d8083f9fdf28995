using System.Net;
using Steer.Policy;

namespace Steer.Cli.Run;

/// <summary>A validated <c>steer run</c> invocation: either a command to start or a cgroup to bind.</summary>
internal sealed record RunRequest(
    string Interface,
    CidrList Excluded,
    IPEndPoint? Dns,
    IReadOnlyList<string> Command,
    string? CgroupPath);
