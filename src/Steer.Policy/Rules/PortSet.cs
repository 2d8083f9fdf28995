using System.Globalization;
using System.Text;

namespace Steer.Policy.Rules;

/// <summary>
/// A set of destination ports: single ports and ranges (<c>443</c>, <c>8000-8999</c>), kept as
/// sorted, merged, non-adjacent ranges so that two sets with the same ports are equal and print
/// the same (<c>80,443,8000-8999</c>). Never empty.
/// </summary>
public sealed class PortSet : IEquatable<PortSet>
{
    // Inclusive ranges, sorted by start, none touching another.
    private readonly (ushort First, ushort Last)[] _ranges;

    private PortSet((ushort, ushort)[] ranges) => _ranges = ranges;

    /// <summary>The ranges, sorted and merged.</summary>
    public ReadOnlySpan<(ushort First, ushort Last)> Ranges => _ranges;

    /// <summary>How many ports the set holds (1..65536): the narrower set ranks first.</summary>
    public int Count { get; private init; }

    /// <summary>A set of these ranges, each First ≤ Last.</summary>
    /// <exception cref="ArgumentException">No range, or one with First &gt; Last.</exception>
    public static PortSet Of(params ReadOnlySpan<(ushort First, ushort Last)> ranges)
    {
        if (ranges.IsEmpty)
            throw new ArgumentException("a port set needs at least one port", nameof(ranges));
        var sorted = ranges.ToArray();
        foreach (var (first, last) in sorted)
        {
            if (first > last)
                throw new ArgumentException($"{first}-{last}: a range runs from low to high", nameof(ranges));
        }
        Array.Sort(sorted, static (a, b) => a.First.CompareTo(b.First));
        var merged = new List<(ushort First, ushort Last)>(sorted.Length);
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && range.First <= merged[^1].Last + 1)
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, range.Last));
            else
                merged.Add(range);
        }
        var count = 0;
        foreach (var (first, last) in merged)
            count += last - first + 1;
        return new PortSet([.. merged]) { Count = count };
    }

    public static PortSet Single(ushort port) => Of((port, port));

    public bool Contains(ushort port)
    {
        foreach (var (first, last) in _ranges)
        {
            if (port < first)
                return false;
            if (port <= last)
                return true;
        }
        return false;
    }

    /// <summary>True when some port is in both sets.</summary>
    public bool Overlaps(PortSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int i = 0, j = 0;
        while (i < _ranges.Length && j < other._ranges.Length)
        {
            var (a, b) = (_ranges[i], other._ranges[j]);
            if (a.First <= b.Last && b.First <= a.Last)
                return true;
            if (a.Last < b.Last)
                i++;
            else
                j++;
        }
        return false;
    }

    /// <summary>True when every port of <paramref name="other"/> is in this set.</summary>
    public bool Covers(PortSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (first, last) in other._ranges)
        {
            var inside = false;
            foreach (var (f, l) in _ranges)
                inside |= f <= first && last <= l;
            if (!inside)
                return false;
        }
        return true;
    }

    /// <summary>
    /// Reads "443", "8000-8999" or a comma list of them ("80,443,8000-8999"). Returns the problem,
    /// or null on success.
    /// </summary>
    public static string? TryParse(ReadOnlySpan<char> text, out PortSet? ports)
    {
        ports = null;
        var ranges = new List<(ushort, ushort)>();
        foreach (var part in text.Split(','))
        {
            var problem = TryParseRange(text[part].Trim(), out var range);
            if (problem is not null)
                return problem;
            ranges.Add(range);
        }
        ports = Of([.. ranges]);
        return null;
    }

    /// <summary>One port or one range "FIRST-LAST"; returns the problem or null.</summary>
    public static string? TryParseRange(ReadOnlySpan<char> text, out (ushort First, ushort Last) range)
    {
        range = default;
        var dash = text.IndexOf('-');
        if (dash < 0)
        {
            var problem = TryParsePort(text, out var port);
            range = (port, port);
            return problem;
        }
        var error = TryParsePort(text[..dash].Trim(), out var first);
        if (error is not null)
            return error;
        error = TryParsePort(text[(dash + 1)..].Trim(), out var last);
        if (error is not null)
            return error;
        if (first > last)
            return $"'{text}' runs backwards: write the lower port first ({last}-{first})";
        range = (first, last);
        return null;
    }

    private static string? TryParsePort(ReadOnlySpan<char> text, out ushort port)
    {
        port = 0;
        if (text.IsEmpty)
            return "a port is missing (ports are 0-65535; a range is FIRST-LAST)";
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
                return $"'{text}' is not a port (a number 0-65535, or a range FIRST-LAST)";
        }
        if (text.Length > 5 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > ushort.MaxValue)
            return $"{text} is not a port: ports are 0-65535";
        port = (ushort)value;
        return null;
    }

    /// <summary>"443", "80,443,8000-8999": the state file's and the CLI's form.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (first, last) in _ranges)
        {
            if (text.Length > 0)
                text.Append(',');
            text.Append(first.ToString(CultureInfo.InvariantCulture));
            if (last != first)
                text.Append('-').Append(last.ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    public bool Equals(PortSet? other) => other is not null && _ranges.AsSpan().SequenceEqual(other._ranges);

    public override bool Equals(object? obj) => Equals(obj as PortSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var range in _ranges)
            hash.Add(range);
        return hash.ToHashCode();
    }
}
