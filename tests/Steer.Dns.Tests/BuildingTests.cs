namespace Steer.Dns.Tests;

public class BuildingTests
{
    [Fact]
    public void Query_matches_what_a_real_client_sent()
    {
        var buffer = new byte[512];
        Assert.True(DnsQueries.TryWrite(buffer, 0x2345, DnsName.Parse("www.example.test"), DnsType.AAAA, new DnsEdns { UdpPayloadSize = 1232 }, out var written));
        Assert.Equal(Captures.AaaaQueryEdns, buffer[..written]);
        Assert.True(DnsQueries.TryWrite(buffer, 0x1234, DnsName.Parse("www.example.test"), DnsType.A, null, out written));
        Assert.Equal(Captures.AQuery, buffer[..written]);
    }

    [Fact]
    public void Query_into_a_small_buffer_fails_cleanly()
    {
        Assert.False(DnsQueries.TryWrite(new byte[20], 1, DnsName.Parse("www.example.test"), DnsType.A, null, out var written));
        Assert.Equal(0, written);
        Assert.False(DnsQueries.TryWrite(new byte[4], 1, DnsName.Root, DnsType.A, null, out _));
    }

    [Theory]
    [InlineData(DnsRcode.ServFail)]
    [InlineData(DnsRcode.Refused)]
    [InlineData(DnsRcode.FormErr)]
    public void Error_response_echoes_the_question(DnsRcode rcode)
    {
        var query = DnsMessageView.Parse(Captures.AQuery);
        var buffer = new byte[512];
        Assert.True(DnsResponses.TryWriteError(query, rcode, buffer, out var written));
        var response = DnsMessage.Parse(buffer.AsSpan(0, written));
        Assert.Equal(0x1234, response.Header.Id);
        Assert.True(response.Header.IsResponse);
        Assert.True(response.Header.RecursionDesired);
        Assert.Equal(rcode, response.Rcode);
        Assert.Equal(query.ToMessage().Questions, response.Questions);
        Assert.Empty(response.Answers);
        Assert.Null(response.Edns);
    }

    [Fact]
    public void Error_response_to_an_EDNS_query_carries_OPT_and_can_say_BADVERS()
    {
        var query = DnsMessageView.Parse(Captures.AaaaQueryEdns);
        var buffer = new byte[512];
        Assert.True(DnsResponses.TryWriteError(query, DnsRcode.BadVers, buffer, out var written));
        var response = DnsMessage.Parse(buffer.AsSpan(0, written));
        Assert.Equal(DnsRcode.BadVers, response.Rcode);
        Assert.Equal(DnsRcode.NoError, response.Header.Rcode); // 16 = 0x010: header 0, extended 1
        Assert.Equal(1, response.Edns!.ExtendedRcode);
        Assert.Throws<ArgumentException>(() => DnsResponses.TryWriteError(DnsMessageView.Parse(Captures.AQuery), DnsRcode.BadVers, buffer, out _));
    }

    [Fact]
    public void Error_response_compresses_answers_against_the_copied_question()
    {
        // Questions copied byte for byte still serve as pointer targets for what follows.
        var query = DnsMessageView.Parse(Captures.AQuery);
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, new DnsHeader(query.Id, 0) { IsResponse = true });
        Assert.True(writer.TryCopyQuestions(query));
        Assert.True(writer.TryWriteAddress(DnsSection.Answer, DnsName.Parse("www.example.test"), 5, DnsAddress.Parse("192.0.2.1")));
        Assert.Equal(Captures.AQuery.Length + 2 + 10 + 4, writer.Length);
    }

    [Fact]
    public void FORMERR_for_bytes_that_did_not_parse()
    {
        var buffer = new byte[512];
        Assert.True(DnsResponses.TryWriteFormatError([0xAB, 0xCD, 0x01, 0x00, 0xFF], buffer, out var written));
        var response = DnsMessage.Parse(buffer.AsSpan(0, written));
        Assert.Equal(0xABCD, response.Header.Id);
        Assert.Equal(DnsRcode.FormErr, response.Rcode);
        Assert.True(response.Header.RecursionDesired);
        Assert.Empty(response.Questions);
        Assert.False(DnsResponses.TryWriteFormatError([0xAB], buffer, out _));
    }

    [Fact]
    public void Writer_leaves_itself_unchanged_when_a_record_does_not_fit()
    {
        var buffer = new byte[44];
        var writer = new DnsMessageWriter(buffer, new DnsHeader(9, 0));
        Assert.True(writer.TryWriteQuestion(DnsName.Parse("a.example"), DnsType.A)); // 12 + 11 + 4 = 27
        // The CNAME would take 4 + 10 + 4 = 18 bytes, the A record (owner a pointer) 2 + 10 + 4 = 16.
        var before = writer.Written.ToArray();
        Assert.False(writer.TryWriteRecord(DnsSection.Answer, DnsRecord.Cname(DnsName.Parse("b.example"), 1, DnsName.Parse("c.example"))));
        Assert.Equal(before, writer.Written.ToArray());
        // It still works afterwards, and earlier sections are still open.
        Assert.True(writer.TryWriteAddress(DnsSection.Answer, DnsName.Parse("a.example"), 1, DnsAddress.Parse("192.0.2.1")));
        Assert.Equal(1, DnsMessageView.Parse(writer.Written).AnswerCount);
    }

    [Fact]
    public void Writer_refuses_sections_out_of_order_and_data_of_the_wrong_type()
    {
        var buffer = new byte[512];
        var writer = new DnsMessageWriter(buffer, default);
        Assert.True(writer.TryWriteAddress(DnsSection.Authority, DnsName.Root, 1, DnsAddress.Parse("192.0.2.1")));
        try
        {
            writer.TryWriteQuestion(DnsName.Root, DnsType.A);
            Assert.Fail("question after authority");
        }
        catch (InvalidOperationException)
        {
        }
        try
        {
            writer.TryWriteRecord(DnsSection.Additional, new DnsRecord(DnsName.Root, DnsType.AAAA, DnsClass.IN, 1, new DnsAddressData(DnsAddress.Parse("192.0.2.1"))));
            Assert.Fail("IPv4 address in AAAA");
        }
        catch (ArgumentException)
        {
        }
        Assert.Throws<ArgumentException>(() => new DnsMessageWriter(new byte[11], default));
    }

    [Fact]
    public void Extended_rcode_round_trips_through_the_object_model()
    {
        var message = new DnsMessage
        {
            Header = new DnsHeader(3, 0) { IsResponse = true, Rcode = (DnsRcode)((int)DnsRcode.BadCookie & 0xF) },
            Edns = new DnsEdns { ExtendedRcode = (int)DnsRcode.BadCookie >> 4, DnssecOk = true, Options = [new DnsEdnsOption(10, [1, 2, 3, 4, 5, 6, 7, 8])] },
        };
        var parsed = DnsMessage.Parse(message.ToArray());
        Assert.Equal(DnsRcode.BadCookie, parsed.Rcode);
        Assert.True(parsed.Edns!.DnssecOk);
        Assert.Equal(message, parsed);
    }

    [Fact]
    public void Header_flags_map_to_their_bits()
    {
        var header = new DnsHeader(0, 0)
        {
            IsResponse = true, Opcode = DnsOpcode.Notify, AuthoritativeAnswer = true, Truncated = true, RecursionDesired = true,
            RecursionAvailable = true, AuthenticData = true, CheckingDisabled = true, Rcode = DnsRcode.Refused,
        };
        Assert.Equal(0b1_0100_1_1_1_1_0_1_1_0101, header.Flags);
        var buffer = new byte[12];
        Assert.Equal(header, DnsMessageView.Parse(new DnsMessageWriter(buffer, header).Written).Header);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DnsHeader(0, 0) { Rcode = DnsRcode.BadVers });
    }
}

public class ResponseMatchingTests
{
    [Fact]
    public void An_answer_matches_its_query_even_with_other_letter_case()
    {
        var query = DnsMessageView.Parse(Captures.AQuery);
        Assert.True(DnsMessageView.Parse(Captures.AAnswer).IsResponseTo(query));

        var shouted = (byte[])Captures.AAnswer.Clone();
        shouted[13] = (byte)'W'; // "Www.example.test": DNS 0x20 style
        Assert.True(DnsMessageView.Parse(shouted).IsResponseTo(query));
    }

    [Fact]
    public void Wrong_ID_question_or_direction_does_not_match()
    {
        var query = DnsMessageView.Parse(Captures.AQuery);
        var otherId = (byte[])Captures.AAnswer.Clone();
        DnsMessageEdits.SetId(otherId, 1);
        Assert.False(DnsMessageView.Parse(otherId).IsResponseTo(query));
        Assert.False(DnsMessageView.Parse(Captures.AaaaAnswerEdns).IsResponseTo(query));
        Assert.False(query.IsResponseTo(query));

        var otherType = (byte[])Captures.AAnswer.Clone();
        otherType[31] = 28; // question type A -> AAAA
        Assert.False(DnsMessageView.Parse(otherType).IsResponseTo(query));
    }
}

public class WriterRDataChecks
{
    [Theory]
    [InlineData(DnsType.A, "010203")]
    [InlineData(DnsType.AAAA, "01020304")]
    [InlineData(DnsType.MINFO, "0161c00c00")] // a pointer: would point into another message
    [InlineData(DnsType.RP, "016100")] // one name where two belong
    public void Raw_RDATA_that_would_make_an_invalid_message_is_refused(DnsType type, string rdata)
    {
        var buffer = new byte[512];
        var bytes = Captures.Hex(rdata);
        try
        {
            var writer = new DnsMessageWriter(buffer, default);
            writer.TryWriteRecord(DnsSection.Answer, DnsName.Root, type, DnsClass.IN, 0, bytes);
            Assert.Fail("accepted");
        }
        catch (ArgumentException)
        {
        }
    }
}
