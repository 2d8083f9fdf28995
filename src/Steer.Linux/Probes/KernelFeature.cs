namespace Steer.Linux.Probes;

/// <summary>A kernel capability Steer depends on, with the first mainline kernel that has it.</summary>
public sealed record KernelFeature(string Name, string MinimumKernel, Func<bool> Probe)
{
    public override string ToString() => $"{Name} (Linux {MinimumKernel})";
}

/// <summary>Thrown when a needed kernel feature is absent; the message names it and its kernel.</summary>
public sealed class MissingKernelFeatureException(IReadOnlyList<KernelFeature> missing, string kernelRelease)
    : Exception($"this kernel ({kernelRelease}) lacks what Steer needs: " + string.Join("; ", missing.Select(f => f.ToString())))
{
    public IReadOnlyList<KernelFeature> Missing { get; } = missing;
}
