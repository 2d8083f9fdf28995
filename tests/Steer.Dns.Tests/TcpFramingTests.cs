namespace Steer.Dns.Tests;

public class TcpFramingTests
{
    [Fact]
    public void Frames_are_read_one_at_a_time_from_a_stream()
    {
        var stream = new byte[200];
        Assert.True(DnsTcpFraming.TryWriteFrame(Captures.AQuery, stream, out var first));
        Assert.True(DnsTcpFraming.TryWriteFrame(Captures.AAnswer, stream.AsSpan(first), out var second));
        ReadOnlySpan<byte> received = stream.AsSpan(0, first + second);

        Assert.True(DnsTcpFraming.TryReadFrame(received, out var message, out var consumed));
        Assert.Equal(Captures.AQuery, message.ToArray());
        received = received[consumed..];
        Assert.True(DnsTcpFraming.TryReadFrame(received, out message, out consumed));
        Assert.Equal(Captures.AAnswer, message.ToArray());
        Assert.True(received[consumed..].IsEmpty);
    }

    [Fact]
    public void Partial_frames_ask_for_more_and_consume_nothing()
    {
        var framed = new byte[100];
        Assert.True(DnsTcpFraming.TryWriteFrame(Captures.AQuery, framed, out var length));
        for (var cut = 0; cut < length; cut++)
        {
            Assert.False(DnsTcpFraming.TryReadFrame(framed.AsSpan(0, cut), out _, out var consumed));
            Assert.Equal(0, consumed);
        }
        Assert.Equal(-1, DnsTcpFraming.FrameLength(framed.AsSpan(0, 1)));
        Assert.Equal(length, DnsTcpFraming.FrameLength(framed.AsSpan(0, 2)));
    }

    [Fact]
    public void Prefix_is_big_endian_and_bounded()
    {
        var prefix = new byte[2];
        DnsTcpFraming.WritePrefix(prefix, 0x1234);
        Assert.Equal([0x12, 0x34], prefix);
        Assert.Throws<ArgumentException>(() => DnsTcpFraming.WritePrefix(prefix, 65536));
        Assert.Throws<ArgumentException>(() => DnsTcpFraming.TryWriteFrame(new byte[65536], new byte[70000], out _));
        Assert.False(DnsTcpFraming.TryWriteFrame(new byte[10], new byte[11], out _));
    }

    [Fact]
    public void An_empty_frame_is_a_frame_whose_message_the_parser_refuses()
    {
        Assert.True(DnsTcpFraming.TryReadFrame([0, 0], out var message, out var consumed));
        Assert.Equal(2, consumed);
        Assert.False(DnsMessageView.TryParse(message, out _, out var error));
        Assert.Equal(DnsFormatError.HeaderTooShort, error.Reason);
    }
}
