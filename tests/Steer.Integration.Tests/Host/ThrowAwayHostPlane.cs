using Steer.Linux.Cgroups;
using Steer.Linux.Mounts;
using Steer.Linux.SocketPlane;

namespace Steer.Integration.Tests.Host;

/// <summary>
/// A host plane on an empty cgroup of its own, pinned in a directory of its own: the real decision
/// and CIDR maps, with no process that its programs could ever meet. Removed on dispose, also when
/// the test failed.
/// </summary>
internal sealed class ThrowAwayHostPlane : IDisposable
{
    private readonly Cgroup _cgroup;

    public ThrowAwayHostPlane(string tag, uint capacity = 1 << 18)
    {
        SteerMounts.BpfRoot();
        _cgroup = Cgroup.Create(Path.Combine(SteerMounts.CgroupRoot(), $"steer-{tag}-{Guid.NewGuid():N}"));
        Pins = Path.Combine(SteerMounts.BpfDirectory, $"{tag}-{Guid.NewGuid():N}");
        try
        {
            Binding = HostBinding.Attach(_cgroup, new HostBindingOptions(null, 0, capacity), Pins);
        }
        catch
        {
            _cgroup.TryRemove(TimeSpan.FromSeconds(2));
            throw;
        }
    }

    public HostBinding Binding { get; }

    public string Pins { get; }

    public void Dispose()
    {
        Binding.Dispose();
        HostBinding.RemoveAll(Pins);
        _cgroup.TryRemove(TimeSpan.FromSeconds(2));
    }
}
