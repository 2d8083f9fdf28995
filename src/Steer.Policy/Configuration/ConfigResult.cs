using System.Diagnostics.CodeAnalysis;

namespace Steer.Policy.Configuration;

/// <summary>
/// Either a complete, validated configuration or the errors that prevent one — never a half-built
/// configuration. Warnings come with either.
/// </summary>
public sealed record ConfigResult(SteerConfig? Config, IReadOnlyList<ConfigDiagnostic> Errors, IReadOnlyList<ConfigDiagnostic> Warnings)
{
    [MemberNotNullWhen(true, nameof(Config))]
    public bool Succeeded => Config is not null;

    /// <exception cref="ConfigException">Loading failed; carries every error.</exception>
    public SteerConfig GetConfigOrThrow() => Config ?? throw new ConfigException(Errors);
}
