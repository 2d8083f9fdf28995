using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Steer.Integration.Tests.LabTests;
using Steer.Lab;
using Steer.Linux.SocketPlane;
using Xunit;

namespace Steer.Integration.Tests.Host;

/// <summary>The host plane without the process that attached it: pins, adoption by another
/// process, and removal that leaves no kernel object behind.</summary>
public sealed partial class HostPlaneTests
{
    [Fact]
    public async Task Decisions_outlive_the_process_that_made_them_and_another_process_adopts_them()
    {
        SkipUnlessSupported();
        binding!.Dispose(); // the daemon is gone; the pins hold the plane in force
        binding = null;

        // Another process (bpftool) writes a decision into the pinned map: struct steer_decision
        // { ifindex, rule, expires_ns = 0 (never) }, keyed by the 4 address bytes.
        var value = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)up2);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(4), 7);
        Bpftool(["map", "update", "pinned", Path.Combine(pins, "steer_decisions4"),
            "key", "hex", .. Hex(IPAddress.Parse(TwoUplinks.Service4).GetAddressBytes()), "value", "hex", .. Hex(value)]);
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: false), await SourceSeen(clients, Client("tcp", TwoUplinks.Service4)));

        // A restarted daemon adopts the pins and reads what the other process wrote.
        using (var adopted = HostBinding.Adopt(pins))
        {
            Assert.True(adopted.Decisions.TryGet(IPAddress.Parse(TwoUplinks.Service4), out var decision));
            Assert.Equal((up2, 7u, (TimeSpan?)null), (decision.InterfaceIndex, decision.Rule, decision.Remaining));
            adopted.Decisions.Set(IPAddress.Parse(TwoUplinks.Service6), up2, rule: 8, TimeSpan.FromMinutes(1));
        }
        Assert.Equal(TwoUplinks.SourceVia("up2", ipv6: true), await SourceSeen(clients, Client("tcp", TwoUplinks.Service6)));
    }

    [Fact]
    public async Task RemoveAll_leaves_no_pin_no_link_no_program_and_no_map()
    {
        SkipUnlessSupported();
        var programs = AttachedPrograms();
        Assert.Equal(4, programs.Count);
        var maps = programs.SelectMany(MapsOf).Distinct().ToList();
        Assert.NotEmpty(maps);
        binding!.Decisions.Set(IPAddress.Parse(TwoUplinks.Service4), up2, rule: 1, TimeSpan.FromMinutes(1));

        binding.Dispose();
        binding = null;
        HostBinding.RemoveAll(pins); // steer stop after a crash: no daemon, only the pins
        Assert.False(Directory.Exists(pins));
        Assert.Empty(AttachedPrograms());
        // The kernel frees programs and maps after an RCU grace period: wait for it, briefly.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && (programs.Any(p => Exists("prog", p)) || maps.Any(m => Exists("map", m))))
            await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(programs, p => Exists("prog", p));
        Assert.DoesNotContain(maps, m => Exists("map", m));
        Assert.DoesNotContain(LinkedPrograms(), programs.Contains);
        Assert.Equal(TwoUplinks.SourceVia(null, ipv6: false), await SourceSeen(clients, Client("tcp", TwoUplinks.Service4)));
    }

    /// <summary>Ids of the programs attached to the test's cgroup (bpftool cgroup show).</summary>
    private List<int> AttachedPrograms()
    {
        var json = Bpftool("cgroup", "show", attachPoint);
        if (string.IsNullOrWhiteSpace(json))
            return [];
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetInt32())];
    }

    private static IEnumerable<int> MapsOf(int program)
    {
        using var doc = JsonDocument.Parse(Bpftool("prog", "show", "id", program.ToString(CultureInfo.InvariantCulture)));
        return doc.RootElement.TryGetProperty("map_ids", out var ids) ? [.. ids.EnumerateArray().Select(i => i.GetInt32())] : [];
    }

    /// <summary>Program ids of every bpf_link in the kernel.</summary>
    private static List<int> LinkedPrograms()
    {
        using var doc = JsonDocument.Parse(Bpftool("link", "show"));
        return [.. doc.RootElement.EnumerateArray().Where(l => l.TryGetProperty("prog_id", out _)).Select(l => l.GetProperty("prog_id").GetInt32())];
    }

    private static bool Exists(string kind, int id) =>
        Runner.Run(["bpftool", "-j", kind, "show", "id", id.ToString(CultureInfo.InvariantCulture)]).Succeeded;

    private static string Bpftool(params string[] args) => Runner.Run(["bpftool", "-j", .. args]).EnsureSuccess().Stdout;

    private static IEnumerable<string> Hex(byte[] bytes) => bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture));
}
