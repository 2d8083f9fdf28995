namespace Steer.Policy;

public sealed partial class CidrList
{
    /// <summary>
    /// Parses the values of a repeatable flag, each a comma-separated list:
    /// <c>--exclude 10.0.0.0/8,fd00::/8 --exclude 192.168.1.0/24</c>.
    /// Whitespace around items is ignored; empty items are errors.
    /// </summary>
    /// <exception cref="FormatException">Every bad item, one per line, as "value V, item I: TEXT: problem".</exception>
    public static CidrList Parse(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = new Builder();
        var valueNumber = 0;
        foreach (var value in values)
        {
            valueNumber++;
            var itemNumber = 0;
            foreach (var range in value.AsSpan().Split(','))
            {
                itemNumber++;
                builder.Add(value.AsSpan(range).Trim(), $"value {valueNumber}, item {itemNumber}");
            }
        }
        return builder.Build();
    }

    /// <summary>
    /// Parses a file of one network per line. '#' starts a comment; blank lines are skipped.
    /// </summary>
    /// <param name="name">How to name the file in messages.</param>
    /// <exception cref="FormatException">Every bad line, one per line, as "FILE:LINE: TEXT: problem".</exception>
    public static CidrList ParseFile(string name, TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(reader);
        var builder = new Builder();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var content = line.AsSpan();
            var hash = content.IndexOf('#');
            if (hash >= 0)
                content = content[..hash];
            content = content.Trim();
            if (!content.IsEmpty)
                builder.Add(content, $"{name}:{lineNumber}");
        }
        return builder.Build();
    }

    /// <summary>Collects every error rather than stopping at the first, so one run shows all fixes needed.</summary>
    private sealed class Builder
    {
        private Cidr[] _networks = new Cidr[4];
        private int _count;
        private readonly List<string> _errors = [];
        private readonly List<string> _warnings = [];

        public void Add(ReadOnlySpan<char> item, string where)
        {
            if (item.IsEmpty)
                _errors.Add($"{where}: empty item");
            else if (!Cidr.TryParse(item, out var cidr, out var error, out var hostBitsWereSet))
                _errors.Add($"{where}: {error}");
            else
            {
                if (_count == _networks.Length)
                    Array.Resize(ref _networks, _count * 2);
                _networks[_count++] = cidr;
                if (hostBitsWereSet)
                    _warnings.Add($"{where}: {item}: host bits are set; using {cidr}");
            }
        }

        public CidrList Build() =>
            _errors.Count == 0 ? new CidrList(_networks.AsSpan(0, _count), _warnings) : throw new FormatException(string.Join('\n', _errors));
    }
}
