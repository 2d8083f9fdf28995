namespace Steer.Policy.Configuration;

/// <summary>A configuration that cannot be used, with every error found (not just the first).</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigDiagnostic> errors)
        : base(string.Join('\n', errors)) =>
        Errors = errors;

    public ConfigException()
        : this([])
    {
    }

    public ConfigException(string message)
        : base(message) =>
        Errors = [];

    public ConfigException(string message, Exception innerException)
        : base(message, innerException) =>
        Errors = [];

    public IReadOnlyList<ConfigDiagnostic> Errors { get; }
}
