using FsCheck;
using FsCheck.Fluent;
using Steer.Policy.Configuration;

namespace Steer.Policy.Tests.Configuration;

/// <summary>The rule file's line reader splits exactly as TextReader.ReadLine does.</summary>
public class LineReaderTests
{
    private static readonly Gen<string> Text =
        Gen.Elements("a", "bc", " ", "\n", "\r", "\r\n", "#", "domain x.example via wg0", new string('z', 40))
            .ArrayOf().Select(parts => string.Concat(parts));

    [Fact]
    public void Lines_are_those_of_ReadLine_whatever_the_buffer_size() =>
        Check.One(Generators.Config, Prop.ForAll(Text.ToArbitrary(), Gen.Choose(1, 50).ToArbitrary(), (text, size) =>
        {
            var expected = new List<string>();
            var plain = new StringReader(text);
            while (plain.ReadLine() is { } line)
                expected.Add(line);
            var actual = new List<string>();
            var lines = new LineReader(new StringReader(text), size);
            while (lines.TryRead(out var line))
                actual.Add(line.ToString());
            Assert.Equal(expected, actual);
        }));
}
