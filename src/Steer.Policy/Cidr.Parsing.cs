namespace Steer.Policy;

public readonly partial record struct Cidr
{
    /// <summary>
    /// Parses "address/prefix" or a bare address (a /32 or /128). Host bits are accepted and cleared;
    /// use the overload with <c>hostBitsWereSet</c> to warn about them. Never throws.
    /// </summary>
    /// <param name="error">On failure, "TEXT: problem", e.g.
    /// "10.0.0.0/33: prefix length 33 is out of range 0..32 for IPv4".</param>
    public static bool TryParse(ReadOnlySpan<char> text, out Cidr cidr, out string? error) =>
        TryParse(text, out cidr, out error, out _);

    /// <param name="hostBitsWereSet">True for input such as "10.0.0.1/24", which yields 10.0.0.0/24:
    /// usually a typo worth a warning, not a reason to refuse.</param>
    public static bool TryParse(ReadOnlySpan<char> text, out Cidr cidr, out string? error, out bool hostBitsWereSet)
    {
        var problem = CidrParser.TryParse(text, out cidr, out hostBitsWereSet);
        error = problem is null ? null : text.IsEmpty ? "empty CIDR" : $"{text}: {problem}";
        return problem is null;
    }

    /// <exception cref="FormatException">The text is not a CIDR; the message says precisely why.</exception>
    public static Cidr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var cidr, out var error) ? cidr : throw new FormatException(error);
    }
}
