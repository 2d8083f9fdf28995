using FsCheck;
using FsCheck.Fluent;

namespace Steer.Dns.Tests;

/// <summary>Checks that the fuzzing is not vacuous, and properties of names on and off the wire.</summary>
public class CoveragePropertyTests
{
    [Fact]
    public void Mutations_reach_both_acceptance_and_many_distinct_refusals()
    {
        var reasons = new HashSet<DnsFormatError>();
        var accepted = 0;
        foreach (var bytes in Mutations.Mutated.Sample(3000, 30))
        {
            if (DnsMessageView.TryParse(bytes, out _, out var error))
                accepted++;
            else
                reasons.Add(error.Reason);
        }
        Assert.InRange(accepted, 30, 2970);
        foreach (var expected in new[]
                 {
                     DnsFormatError.CountExceedsData, DnsFormatError.TrailingBytes, DnsFormatError.NameTruncated,
                     DnsFormatError.InvalidLabelType, DnsFormatError.PointerForward, DnsFormatError.PointerLoop,
                     DnsFormatError.RecordTruncated, DnsFormatError.BadRDataLength,
                 })
            Assert.Contains(expected, reasons);
    }

    [Fact]
    public void Name_parsing_of_any_text_succeeds_or_says_why() =>
        Check.One(Generators.Config, Prop.ForAll(
            Gen.OneOf(
                ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""),
                Gen.Elements(".", "\\", "a", "0", "-", "\\0", ".\\", "\\.").ListOf().Select(parts => string.Concat(parts))).ToArbitrary(),
            text =>
            {
                var ok = DnsName.TryParse(text, out var name, out var error);
                Assert.Equal(ok, error is null);
                if (ok)
                    Assert.Equal(name, DnsName.Parse(name.ToString()));
                else
                    Assert.Equal(error, Assert.Throws<FormatException>(() => DnsName.Parse(text)).Message);
            }));

    [Fact]
    public void Name_text_round_trips() =>
        Check.One(Generators.Config, Prop.ForAll(Generators.Name.ToArbitrary(), name =>
        {
            Assert.Equal(name, DnsName.Parse(name.ToString()));
            Assert.Equal(name, DnsName.Parse(name + "."));
        }));

    [Fact]
    public void Wire_names_match_exactly_the_names_they_decode_to() =>
        Check.One(Generators.Config, Prop.ForAll(
            (from a in Generators.Name from b in Gen.Frequency((1, Gen.Constant(a)), (2, Generators.Name)) select (a, b)).ToArbitrary(),
            t =>
            {
                var (a, b) = t;
                var message = new DnsMessage
                {
                    Questions = [new DnsQuestion(a, DnsType.A)],
                    Answers = [DnsRecord.Cname(b, 1, a)],
                };
                var view = DnsMessageView.Parse(message.ToArray());
                view.TryGetQuestion(out var question);
                foreach (var record in view.Answers)
                {
                    Assert.Equal(a == b, record.Name.Matches(a));
                    Assert.Equal(a == b, record.Name.Matches(question.Name));
                    Assert.True(record.TryGetTarget(out var target));
                    Assert.True(target.Matches(question.Name));
                    Assert.Equal(b, record.Name.ToDnsName());
                    Assert.Equal(b.WireLength, record.Name.WireLength);
                }
            }));

    [Fact]
    public void Subdomain_agrees_with_label_suffixes() =>
        Check.One(Generators.Config, Prop.ForAll(
            (from parent in Generators.Name from extra in Generators.Label.ArrayOf().Select(l => l.Take(3).ToArray()) select (parent, extra)).ToArbitrary(),
            t =>
            {
                var (parent, extra) = t;
                var text = string.Join(".", extra.Select(l => string.Concat(l.Select(b => $"\\{b:D3}"))).Append(parent.ToString()).Where(s => s.Length > 0));
                if (!DnsName.TryParse(text, out var child, out _))
                    return; // too long
                Assert.True(child.IsSubdomainOf(parent));
                Assert.Equal(extra.Length == 0, parent.IsSubdomainOf(child));
            }));
}
