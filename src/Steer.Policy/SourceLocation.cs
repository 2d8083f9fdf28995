namespace Steer.Policy;

/// <summary>
/// Where something was written: file, 1-based line and column. Rules carry one so that every
/// explanation ("matched because of steer.yaml:12") and every error points at the text to edit.
/// </summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>The compiler's format, which editors and terminals turn into links: "steer.yaml:12:5".</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}
