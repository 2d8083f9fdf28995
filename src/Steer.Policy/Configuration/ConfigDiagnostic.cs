namespace Steer.Policy.Configuration;

public enum DiagnosticSeverity
{
    Error,
    Warning,
}

/// <summary>
/// One thing wrong (or worth a second look) in a configuration file, at the exact place to edit:
/// "steer.yaml:12:5: error: rules: ... ". Every message says what is wrong and what is expected.
/// </summary>
public sealed record ConfigDiagnostic(SourceLocation Location, DiagnosticSeverity Severity, string Message)
{
    public override string ToString() => $"{Location}: {Severity.ToString().ToLowerInvariant()}: {Message}";
}
