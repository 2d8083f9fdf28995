namespace Steer.Policy.Names;

/// <summary>
/// A DNS name in the one form that rules and lookups compare: lowercase ASCII, internationalised
/// labels as their "xn--" (punycode) form, no trailing dot. "Bücher.Example." becomes
/// "xn--bcher-kva.example".
/// </summary>
/// <remarks>
/// <para>Names are compared label by label: "badexample.com" is not under "example.com".</para>
/// <para><c>default(DomainName)</c> has an empty <see cref="Value"/> and is not a valid name;
/// every parsed name has at least one label.</para>
/// </remarks>
public readonly record struct DomainName
{
    /// <summary>RFC 1035: 255 octets on the wire, which is 253 characters written without the trailing dot.</summary>
    public const int MaxLength = 253;

    /// <summary>RFC 1035: a label is 1..63 octets.</summary>
    public const int MaxLabelLength = 63;

    private readonly string? _value;

    private DomainName(string value) => _value = value;

    /// <summary>A name known to be normalised already: one that a rule set stored and gives back
    /// (see DomainTrie.NameOf). Not for text from outside.</summary>
    internal static DomainName FromNormalised(string value) => new(value);

    /// <summary>The normalised name, e.g. "xn--bcher-kva.example".</summary>
    public string Value => _value ?? "";

    public int LabelCount => Value.Length == 0 ? 0 : Value.AsSpan().Count('.') + 1;

    /// <summary>
    /// Normalises and validates a name as a user writes it. Never throws.
    /// </summary>
    /// <param name="error">On failure, "TEXT: problem", e.g. "a..b: empty label (two dots in a row at position 2)".</param>
    public static bool TryParse(string? text, out DomainName name, out string? error)
    {
        var problem = DomainNameParser.TryNormalise(text ?? "", out var normalised);
        name = problem is null ? new DomainName(normalised!) : default;
        error = problem is null ? null : string.IsNullOrEmpty(text) ? problem : $"{text}: {problem}";
        return problem is null;
    }

    /// <exception cref="FormatException">The text is not a usable name; the message says precisely why.</exception>
    public static DomainName Parse(string text) =>
        TryParse(text, out var name, out var error) ? name : throw new FormatException(error);

    /// <summary>
    /// True if this name is <paramref name="suffix"/> or lies under it, label-aligned:
    /// "a.example.com" and "example.com" are under "example.com", "badexample.com" is not.
    /// </summary>
    public bool IsSameOrSubdomainOf(DomainName suffix)
    {
        var name = Value;
        var tail = suffix.Value;
        if (tail.Length == 0 || !name.EndsWith(tail, StringComparison.Ordinal))
            return false;
        return name.Length == tail.Length || name[name.Length - tail.Length - 1] == '.';
    }

    public override string ToString() => Value;
}
