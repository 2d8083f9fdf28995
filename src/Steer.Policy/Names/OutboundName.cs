namespace Steer.Policy.Names;

/// <summary>
/// Names of proxy outbounds: short identifiers, so they read the same in steer.yaml, in logs and on
/// a command line. The words that <c>proxy.default</c> gives a meaning of its own are reserved.
/// </summary>
public static class OutboundName
{
    public const int MaxLength = 64;

    /// <summary>Words with a fixed meaning where an outbound name may also stand.</summary>
    public static IReadOnlyList<string> Reserved { get; } = ["auto", "direct", "reject"];

    /// <returns>null if valid, else what is wrong.</returns>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "an outbound name cannot be empty";
        if (name.Length > MaxLength)
            return $"an outbound name has at most {MaxLength} characters, this one {name.Length}";
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.')
                return $"'{name}' has {(c is > ' ' and < '\u007f' ? $"'{c}'" : $"U+{(int)c:X4}")} at position {i + 1}; " +
                       "an outbound name has letters, digits, '-', '_' and '.'";
        }
        return Reserved.Contains(name) ? $"'{name}' is reserved (it means something of its own in proxy.default)" : null;
    }
}
