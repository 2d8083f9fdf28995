namespace Steer.Dns.Tests;

/// <summary>Every refusal, each with its precise reason and the offset where it was seen.</summary>
public class MalformedMessageTests
{
    // Offsets in the comments count from the start of the message; the header takes 0..11.
    private const string QuestionA = "0161" + "00" + "00010001"; // a. A IN, 7 bytes

    private static byte[] Message(int qd, int an, int ns, int ar, string body) =>
        Captures.Hex($"abcd0100{qd:x4}{an:x4}{ns:x4}{ar:x4}{body.Replace(" ", "")}");

    private static void Refused(byte[] message, DnsFormatError reason, int offset)
    {
        Assert.False(DnsMessageView.TryParse(message, out _, out var error));
        Assert.Equal(new DnsParseError(reason, offset), error);
        var thrown = Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(message));
        Assert.Equal(reason, thrown.Reason);
        Assert.Equal(offset, thrown.Offset);
        Assert.IsAssignableFrom<FormatException>(thrown);
    }

    [Fact]
    public void Header_too_short() => Refused(new byte[11], DnsFormatError.HeaderTooShort, 11);

    [Fact]
    public void Empty_input() => Refused([], DnsFormatError.HeaderTooShort, 0);

    [Fact]
    public void Longer_than_65535_bytes() => Refused(new byte[65536], DnsFormatError.MessageTooLong, 65535);

    [Fact]
    public void Question_count_beyond_the_data() => Refused(Message(2, 0, 0, 0, QuestionA), DnsFormatError.CountExceedsData, 19);

    [Fact]
    public void Answer_count_beyond_the_data() => Refused(Message(1, 1, 0, 0, QuestionA), DnsFormatError.CountExceedsData, 19);

    [Fact]
    public void Bytes_after_the_last_counted_entry() => Refused(Message(1, 0, 0, 0, QuestionA + "00"), DnsFormatError.TrailingBytes, 19);

    [Fact]
    public void Name_cut_inside_a_label() => Refused(Message(1, 0, 0, 0, "03 7777"), DnsFormatError.NameTruncated, 12);

    [Fact]
    public void Name_without_its_root_byte() => Refused(Message(1, 0, 0, 0, "03 777777"), DnsFormatError.NameTruncated, 16);

    [Fact]
    public void Pointer_cut_after_its_first_byte() => Refused(Message(1, 0, 0, 0, "c0"), DnsFormatError.NameTruncated, 12);

    [Theory]
    [InlineData("40")] // 01: the obsolete EDNS extended label type (RFC 6891 §5)
    [InlineData("80")] // 10: reserved
    [InlineData("7f")] // what a 127-byte label would look like
    public void Label_length_byte_over_63(string lengthByte) =>
        Refused(Message(1, 0, 0, 0, lengthByte + new string('6', 254) + "00 00010001"), DnsFormatError.InvalidLabelType, 12);

    [Fact]
    public void Name_over_255_bytes()
    {
        // Four 63-byte labels: 4 * 64 + 1 = 257 bytes. The fourth label (at 12 + 3*64) crosses the limit.
        var label = "3f" + string.Concat(Enumerable.Repeat("61", 63));
        Refused(Message(1, 0, 0, 0, label + label + label + label + "00 00010001"), DnsFormatError.NameTooLong, 12 + 3 * 64);
    }

    [Fact]
    public void Name_over_255_bytes_only_once_decompressed()
    {
        // Question: three 63-byte labels + root (193 bytes, fine). Answer owner: a 62-byte label and a pointer to it:
        // 63 + 193 = 256 > 255. The limit is crossed when the jumped-to third label is added.
        var label = "3f" + string.Concat(Enumerable.Repeat("61", 63));
        var question = label + label + label + "00 00010001"; // 12..208, type/class 205..208
        var owner = "3e" + string.Concat(Enumerable.Repeat("62", 62)) + "c00c"; // at 209
        Refused(Message(1, 1, 0, 0, question + owner + "0001 0001 00000000 0004 01020304"), DnsFormatError.NameTooLong, 12 + 2 * 64);
    }

    [Fact]
    public void Pointer_to_itself() => Refused(Message(1, 0, 0, 0, "c00c 00010001"), DnsFormatError.PointerToSelf, 12);

    [Fact]
    public void Pointer_forward() => Refused(Message(1, 0, 0, 0, "c010 00010001 0000"), DnsFormatError.PointerForward, 12);

    [Fact]
    public void Pointer_past_the_end_is_forward() => Refused(Message(1, 0, 0, 0, "c3ff 00010001"), DnsFormatError.PointerForward, 12);

    [Fact]
    public void Pointer_back_into_the_same_name_loops() =>
        // a.b.<pointer to b.>: the pointer at 16 lands at 14, inside the name it ends.
        Refused(Message(1, 0, 0, 0, "0161 0162 c00e 00010001"), DnsFormatError.PointerLoop, 16);

    [Fact]
    public void Pointer_loop_reached_through_another_pointer()
    {
        // Answer 1 is TXT whose RDATA holds "01 78 c0 XX" pointing at itself (opaque, so not checked as a name).
        // Answer 2's owner points into that RDATA: the jump is fine, the pointer found there loops.
        var txtRData = 12 + 7 + 2 + 10; // after the question and the owner pointer and fixed fields of answer 1
        var body = QuestionA + $"c00c 0010 0001 00000000 0004 0178c0{txtRData:x2}" + $"c0{txtRData:x2} 0001 0001 00000000 0004 01020304";
        Refused(Message(1, 2, 0, 0, body), DnsFormatError.PointerLoop, txtRData + 2);
    }

    [Fact]
    public void Pointer_into_the_header() => Refused(Message(1, 0, 0, 0, "c004 00010001"), DnsFormatError.PointerIntoHeader, 12);

    [Fact]
    public void Too_many_pointer_hops()
    {
        // TXT RDATA: a root byte, then 33 pointers, each to the one before. A later owner name points at the last:
        // 34 hops in one name, over the limit of 32, all of them strictly backward.
        var rdataStart = 12 + 7 + 2 + 10;
        var chain = "00" + string.Concat(Enumerable.Range(0, 33).Select(i => $"c0{(i == 0 ? rdataStart : rdataStart + 1 + 2 * (i - 1)):x2}"));
        var rdLength = chain.Length / 2;
        var last = rdataStart + 1 + 2 * 32;
        var body = QuestionA + $"c00c 0010 0001 00000000 {rdLength:x4} {chain}" + $"c0{last:x2} 0010 0001 00000000 0000";
        var message = Message(1, 2, 0, 0, body);
        Assert.True(last < 256);
        // Hop 1 is the owner's pointer, hop 2 the last pointer of the chain, ... hop 33 the chain's second pointer.
        Refused(message, DnsFormatError.TooManyPointers, rdataStart + 1 + 2 * 1);
    }

    [Fact]
    public void Question_without_its_class() => Refused(Message(1, 0, 0, 0, "00 0001 00"), DnsFormatError.RecordTruncated, 13);

    [Fact]
    public void Record_without_its_fixed_fields() => Refused(Message(1, 1, 0, 0, QuestionA + "c00c 0001 0001"), DnsFormatError.RecordTruncated, 21);

    [Fact]
    public void Record_whose_RDATA_runs_past_the_end() =>
        Refused(Message(1, 1, 0, 0, QuestionA + "c00c 0001 0001 00000000 0004 010203"), DnsFormatError.RecordTruncated, 29);

    [Theory]
    [InlineData("0001", "0005 0102030405")] // A of 5 bytes
    [InlineData("001c", "0004 01020304")] // AAAA of 4 bytes
    [InlineData("000f", "0001 00")] // MX without its name
    [InlineData("0005", "0003 00 0000")] // CNAME: root then two stray bytes
    [InlineData("0006", "0006 00 00 00000000")] // SOA cut after the serial
    [InlineData("0021", "0008 0000 0000 0000 00 00")] // SRV with a byte after its name
    [InlineData("0023", "0005 0000 0000 05")] // NAPTR: a character-string longer than the RDATA
    public void RDATA_that_does_not_fit_its_type(string type, string rdata)
    {
        var error = RefusedAnswer(type, rdata);
        Assert.Equal(DnsFormatError.BadRDataLength, error.Reason);
    }

    [Fact]
    public void A_wrong_A_length_is_reported_at_the_RDLENGTH_field() =>
        Refused(Message(1, 1, 0, 0, QuestionA + "c00c 0001 0001 00000000 0003 010203"), DnsFormatError.BadRDataLength, 29);

    [Fact]
    public void Name_in_RDATA_running_past_the_RDATA() =>
        // CNAME RDLENGTH 3 but the name is 5 bytes; the message goes on, so this is not truncation.
        Refused(Message(1, 1, 0, 0, QuestionA + "c00c 0005 0001 00000000 0003 03666f6f00"), DnsFormatError.NameExceedsRData, 31);

    [Fact]
    public void OPT_outside_the_additional_section() =>
        Refused(Message(1, 1, 0, 0, QuestionA + "00 0029 04d0 00000000 0000"), DnsFormatError.OptNotInAdditional, 19);

    [Fact]
    public void Two_OPT_records() =>
        Refused(Message(1, 0, 0, 2, QuestionA + "00 0029 04d0 00000000 0000" + "00 0029 04d0 00000000 0000"), DnsFormatError.MultipleOpt, 30);

    [Fact]
    public void OPT_owned_by_another_name() =>
        Refused(Message(1, 0, 0, 1, QuestionA + "c00c 0029 04d0 00000000 0000"), DnsFormatError.OptNameNotRoot, 19);

    [Fact]
    public void EDNS_option_longer_than_the_OPT_RDATA() =>
        Refused(Message(1, 0, 0, 1, QuestionA + "00 0029 04d0 00000000 0006 000a 0004 0102"), DnsFormatError.OptOptionTruncated, 30);

    [Fact]
    public void EDNS_option_header_cut_short() =>
        Refused(Message(1, 0, 0, 1, QuestionA + "00 0029 04d0 00000000 0002 000a"), DnsFormatError.OptOptionTruncated, 30);

    [Fact]
    public void OPT_owner_may_be_a_pointer_to_the_root()
    {
        // Odd but legal: the root spelt as a pointer to a zero byte (the question's root at 14).
        var view = DnsMessageView.Parse(Message(1, 0, 0, 1, QuestionA + "c00e 0029 04d0 00000000 0000"));
        Assert.True(view.HasEdns);
    }

    [Fact]
    public void Messages_end_exactly_where_the_counts_say()
    {
        Assert.True(DnsMessageView.TryParse(Message(0, 0, 0, 0, ""), out var view, out _));
        Assert.Equal(0, view.QuestionCount);
        Assert.True(DnsMessageView.TryParse(Message(1, 0, 0, 0, QuestionA), out _, out _));
    }

    private static DnsParseError RefusedAnswer(string type, string rdata)
    {
        var message = Message(1, 1, 0, 0, QuestionA + $"c00c {type} 0001 00000000 {rdata}");
        Assert.False(DnsMessageView.TryParse(message, out _, out var error));
        Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(message));
        return error;
    }
}
