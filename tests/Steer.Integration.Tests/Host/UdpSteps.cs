using Steer.Lab;
using Steer.Linux.Cgroups;
using Steer.Integration.Tests.LabTests;

namespace Steer.Integration.Tests.Host;

/// <summary>
/// A UDP client that keeps ONE socket through a list of steps, which socat cannot: how a socket
/// the host plane bound behaves when it talks to the next address. Each step prints one line:
/// the source address the echo service saw, <c>REFUSED</c> (EPERM from the hook) or
/// <c>ERROR code</c>. Steps: <c>send=ADDR</c> (sendto on the unconnected socket, then the reply)
/// and <c>connect=ADDR</c> (connect, send, reply). With a non-zero uid the client drops root
/// before it opens the socket (no CAP_NET_RAW: it may not change a socket's binding).
/// </summary>
internal static class UdpSteps
{
    private const string Script = """
        import errno, os, socket, sys
        port, family, uid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        if uid:
            os.setgid(uid)
            os.setuid(uid)
        s = socket.socket(socket.AF_INET6 if family == "6" else socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        for step in sys.argv[4:]:
            verb, address = step.split("=", 1)
            try:
                if verb == "connect":
                    s.connect((address, port))
                    s.send(b"\0\0\0\0")
                else:
                    s.sendto(b"\0\0\0\0", (address, port))
                reply = s.recv(512).decode().split()
                print(reply[1] if len(reply) == 3 and reply[0] == "SRC" else "ERROR reply " + repr(reply))
            except PermissionError:
                print("REFUSED")
            except OSError as e:
                print("ERROR", errno.errorcode.get(e.errno, str(e)) if e.errno else "timeout")
            sys.stdout.flush()
        """;

    private static readonly Lazy<string> ScriptPath = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"steer-udp-steps-{Environment.ProcessId}.py");
        File.WriteAllText(path, Script);
        return path;
    });

    /// <summary>Runs the steps in <paramref name="cgroup"/>; one result per step.</summary>
    public static async Task<string[]> RunAsync(LabHost host, Cgroup cgroup, int port, bool ipv6, int uid, params string[] steps)
    {
        var result = await CgroupClient.RunAsync(host, cgroup, ["python3", ScriptPath.Value, port.ToString(System.Globalization.CultureInfo.InvariantCulture), ipv6 ? "6" : "4", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), .. steps]);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.ExitCode != 0 || lines.Length != steps.Length)
            throw new InvalidOperationException($"udp steps exit {result.ExitCode}: {result.Stdout} {result.Stderr}");
        return lines;
    }
}
