using Steer.Linux.Bpf;
using Steer.Linux.Native;
using Steer.Linux.Netlink;
using Steer.Linux.Packets;

namespace Steer.PassiveDns.Capture;

/// <summary>
/// Opens the capture sockets of a listener in the calling thread's network namespace, each with
/// bpf/steer_dns_sniff.bpf.c attached before it is bound: only DNS answers are ever queued.
/// </summary>
internal static class DnsAnswerSockets
{
    private const string ObjectName = "steer_dns_sniff";
    private const string ProgramName = "steer_dns_sniff";
    private const int AllInterfaces = 0;

    public static List<PacketSocket> Open(PassiveDnsOptions options)
    {
        var targets = InterfaceIndexes(options.Interfaces);
        bool includeLoopback = options.IncludeLoopback
            || options.Interfaces?.Contains(Loopback, StringComparer.Ordinal) == true;
        using var program = BpfObject.OpenEmbedded(ObjectName);
        program.SetReadOnlySettings(new SniffSettings
        {
            IncludeOutgoing = options.IncludeOutgoing ? (byte)1 : (byte)0,
            IncludeLoopback = includeLoopback ? (byte)1 : (byte)0,
        });
        program.Load();

        var sockets = new List<PacketSocket>(targets.Count);
        try
        {
            foreach (int index in targets)
            {
                var socket = PacketSocket.Open();
                sockets.Add(socket);
                if (!options.IncludeOutgoing)
                    IgnoreOutgoing(socket);
                socket.SetReceiveBuffer(options.ReceiveBufferBytes);
                program.AttachSocketFilter(ProgramName, socket.Handle); // the socket keeps the program
                socket.Bind(index);
            }
            return sockets;
        }
        catch
        {
            foreach (var socket in sockets)
                socket.Dispose();
            throw;
        }
    }

    private const string Loopback = "lo";

    private static List<int> InterfaceIndexes(IReadOnlyList<string>? names)
    {
        if (names is null)
            return [AllInterfaces];
        using var netlink = NetlinkHandle.Open();
        return names.Distinct(StringComparer.Ordinal)
            .Select(name => netlink.GetLink(name)?.Index ?? throw new ArgumentException($"no interface named '{name}' in this network namespace", nameof(names)))
            .ToList();
    }

    /// <summary>Saves the kernel cloning every packet this host sends just for the filter to drop
    /// it. Kernels before 4.20 lack the option; the filter drops them there.</summary>
    private static void IgnoreOutgoing(PacketSocket socket)
    {
        try
        {
            socket.IgnoreOutgoing();
        }
        catch (LinuxException e) when (e.Errno == ENOPROTOOPT)
        {
        }
    }

    private const int ENOPROTOOPT = 92;
}
