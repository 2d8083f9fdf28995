using FsCheck;
using FsCheck.Fluent;

namespace Steer.Dns.Tests;

public class ParserPropertyTests
{
    [Fact]
    public void Random_bytes_only_ever_raise_DnsFormatException() =>
        Check.One(Generators.Config.WithMaxTest(3000), Prop.ForAll(Mutations.RandomBytes.ToArbitrary(), ParseEverythingOrRefuse));

    [Fact]
    public void Mutated_messages_only_ever_raise_DnsFormatException() =>
        Check.One(Generators.Config.WithMaxTest(3000), Prop.ForAll(Mutations.Mutated.ToArbitrary(), ParseEverythingOrRefuse));

    [Fact]
    public void Written_messages_parse_back_equal() =>
        Check.One(Generators.Config, Prop.ForAll(Generators.Message.ToArbitrary(), message =>
        {
            var bytes = message.ToArray();
            Assert.Equal(message, DnsMessage.Parse(bytes));
        }));

    [Fact]
    public void Compressed_output_is_never_longer_than_uncompressed() =>
        Check.One(Generators.Config, Prop.ForAll(Generators.Message.ToArbitrary(), message =>
        {
            var uncompressed = DnsHeader.Size +
                message.Questions.Sum(q => q.Name.WireLength + 4) +
                message.Answers.Concat(message.Authorities).Concat(message.Additionals).Sum(UncompressedLength) +
                (message.Edns is null ? 0 : 11 + message.Edns.OptionsLength);
            Assert.True(message.ToArray().Length <= uncompressed);
        }));

    private static int UncompressedLength(DnsRecord record) => record.Name.WireLength + 10 + record.Data switch
    {
        DnsAddressData a => a.Address.Length,
        DnsNameData n => n.Target.WireLength,
        DnsMxData mx => 2 + mx.Exchange.WireLength,
        DnsSoaData soa => soa.PrimaryServer.WireLength + soa.ResponsibleMailbox.WireLength + 20,
        DnsSrvData srv => 6 + srv.Target.WireLength,
        DnsOpaqueData o => o.Bytes.Length,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>
    /// The contract for any input: TryParse and Parse agree; a refusal is a DnsFormatException and
    /// nothing else; an accepted message can be read, re-written, edited and walked without any exception,
    /// and re-writing it (compression pointers re-made for the new message) gives an equal message.
    /// </summary>
    private static void ParseEverythingOrRefuse(byte[] bytes)
    {
        var accepted = DnsMessageView.TryParse(bytes, out var view, out var error);
        Assert.Equal(!accepted, error.IsError);
        var thrown = Record.Exception(() => DnsMessage.Parse(bytes));
        if (!accepted)
        {
            var refusal = Assert.IsType<DnsFormatException>(thrown);
            Assert.Equal(error.Reason, refusal.Reason);
            Assert.Equal(error.Offset, refusal.Offset);
            Assert.False(DnsTtl.TryDecrement((byte[])bytes.Clone(), 5, out var again));
            Assert.Equal(error, again);
            return;
        }
        Assert.Null(thrown);
        ExerciseAcceptedMessage(bytes);
    }

    private static void ExerciseAcceptedMessage(byte[] bytes)
    {
        var view = DnsMessageView.Parse(bytes);
        foreach (var question in view.Questions)
            _ = question.Name.ToString();
        foreach (var record in view.Records)
        {
            _ = record.ToString();
            record.TryGetAddress(out _);
            if (record.TryGetTarget(out var target))
                _ = target.WireLength;
        }
        var message = view.ToMessage();
        Assert.Equal(message, DnsMessage.Parse(message.ToArray()));

        DnsTtl.TryGetMinimum(view, out _);
        var aged = (byte[])bytes.Clone();
        Assert.True(DnsTtl.TryDecrement(aged, 7, out _));

        var small = new byte[bytes.Length];
        if (DnsTruncation.TryFit(view, 512, small, out var written, out _))
            Assert.True(DnsMessageView.TryParse(small.AsSpan(0, written), out _, out var cutError), cutError.ToString());

        var chain = new DnsAnswerChain();
        chain.Read(view, view.TryGetQuestion(out var first) ? first.Name.ToDnsName() : DnsName.Root);

        var response = new byte[DnsLimits.MaxMessageLength];
        if (!view.Header.IsResponse && view.HasEdns)
            Assert.True(DnsResponses.TryWriteError(view, DnsRcode.BadVers, response, out written));
        else
            Assert.True(DnsResponses.TryWriteError(view, DnsRcode.ServFail, response, out written));
        var error = DnsMessageView.Parse(response.AsSpan(0, written));
        Assert.Equal(view.QuestionCount, error.QuestionCount);
    }
}
