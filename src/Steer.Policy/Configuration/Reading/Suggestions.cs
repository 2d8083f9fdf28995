namespace Steer.Policy.Configuration.Reading;

/// <summary>"Did you mean …?" for misspelt keys and names.</summary>
internal static class Suggestions
{
    /// <summary>The candidate closest to <paramref name="text"/>, if close enough to be a likely typo.</summary>
    public static string? Nearest(string text, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(text, candidate);
            if (distance < bestDistance)
                (best, bestDistance) = (candidate, distance);
        }
        // One edit in a short word, up to a third of a longer one: beyond that it is a different word.
        return best is not null && bestDistance <= Math.Max(1, best.Length / 3) ? best : null;
    }

    /// <summary>"; did you mean 'x'?" or nothing.</summary>
    public static string DidYouMean(string text, IEnumerable<string> candidates) =>
        Nearest(text, candidates) is { } nearest ? $"; did you mean '{nearest}'?" : "";

    /// <summary>Levenshtein distance (insert, delete, substitute), with adjacent swaps counted as one edit.</summary>
    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
            return int.MaxValue;
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
