using System.Net;
using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Steer.Linux.SocketPlane;

namespace Steer.Bench.Connect;

/// <summary>
/// The host-wide socket programs (what `steer start` attaches to the root cgroup) attached to a
/// throw-away cgroup instead, with N decisions loaded for random addresses that are not the
/// benchmark's targets: the cost every other connect() on a host pays while Steer runs.
/// </summary>
internal sealed class HostPlaneBench : IDisposable
{
    private readonly Cgroup _cgroup;
    private readonly HostBinding _binding;
    private readonly string _pins;

    private HostPlaneBench(Cgroup cgroup, HostBinding binding, string pins) => (_cgroup, _binding, _pins) = (cgroup, binding, pins);

    public static HostPlaneBench Start(int decisions, int interfaceIndex, IReadOnlyCollection<IPAddress> targets)
    {
        SteerMounts.BpfRoot();
        var cgroup = Cgroup.Create(Path.Combine(SteerMounts.CgroupRoot(), $"steer-bench-host-{Environment.ProcessId}"));
        var pins = Path.Combine(SteerMounts.BpfDirectory, $"bench-host-{Environment.ProcessId}");
        var binding = HostBinding.Attach(cgroup, new HostBindingOptions(null, 0, (uint)Math.Max(decisions, 1)), pins);
        var random = new Random(20261122);
        Span<byte> v4 = stackalloc byte[4];
        Span<byte> v6 = stackalloc byte[16];
        for (int i = 0; i < decisions; i++)
        {
            IPAddress address;
            if (i % 2 == 0)
            {
                random.NextBytes(v4);
                address = new IPAddress(v4);
            }
            else
            {
                random.NextBytes(v6);
                address = new IPAddress(v6);
            }
            if (!targets.Contains(address))
                binding.Decisions.Set(address, interfaceIndex, rule: 1, ttl: null);
        }
        return new HostPlaneBench(cgroup, binding, pins);
    }

    public void Add(int pid) => _cgroup.AddProcess(pid);

    public void Dispose()
    {
        _binding.Dispose();
        HostBinding.RemoveAll(_pins);
        // The workers have exited by now; an empty cgroup can go.
        _cgroup.TryRemove(TimeSpan.FromSeconds(2));
    }
}
