using System.Net.Security;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Steer.Proxy.Inbounds;

namespace Steer.Proxy.Tests.Unit;

public sealed class SnifferTests
{
    /// <summary>A real ClientHello, written by .NET's own TLS client into a memory pipe.</summary>
    internal static byte[] ClientHelloFor(string host) => ClientHello(host);

    private static byte[] ClientHello(string host)
    {
        var captured = new CapturingStream();
        using var ssl = new SslStream(captured);
        try { ssl.AuthenticateAsClient(new SslClientAuthenticationOptions { TargetHost = host }); }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException) { }
        return captured.Written.ToArray();
    }

    private sealed class CapturingStream : Stream
    {
        public MemoryStream Written { get; } = new();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => 0; // the server never answers
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }

    [Fact]
    public void Finds_the_server_name_of_a_tls_client_hello()
    {
        var hello = ClientHello("www.Example.com");
        Assert.Equal(SniffResult.Found, Sniffer.Sniff(hello, out var name));
        Assert.Equal("www.example.com", name);
    }

    [Fact]
    public void A_truncated_client_hello_needs_more()
    {
        var hello = ClientHello("example.org");
        Assert.Equal(SniffResult.NeedMore, Sniffer.Sniff(hello.AsSpan(0, 40), out _));
    }

    [Fact]
    public void Finds_the_http_host_without_port()
    {
        var request = "GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: api.example.com:8080\r\n\r\n"u8;
        Assert.Equal(SniffResult.Found, Sniffer.Sniff(request, out var name));
        Assert.Equal("api.example.com", name);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
    [InlineData("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")]
    public void Addresses_and_other_protocols_give_no_name(string text)
    {
        Assert.Equal(SniffResult.NotFound, Sniffer.Sniff(Encoding.ASCII.GetBytes(text), out var name));
        Assert.Null(name);
    }

    [Fact]
    public void An_unfinished_http_header_needs_more() =>
        Assert.Equal(SniffResult.NeedMore, Sniffer.Sniff("GET / HTTP/1.1\r\nHo"u8, out _));

    [Fact]
    public void Any_bytes_are_parsed_without_throwing_and_names_are_clean()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var result = Sniffer.Sniff(bytes, out var name);
            return result != SniffResult.Found || (name is { Length: > 0 and <= 253 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Corrupted_client_hellos_never_throw()
    {
        var hello = ClientHello("example.net");
        Prop.ForAll(ArbMap.Default.ArbFor<(int, byte)>(), change =>
        {
            var copy = (byte[])hello.Clone();
            copy[Math.Abs(change.Item1 % copy.Length)] = change.Item2;
            Sniffer.Sniff(copy, out _);
            Sniffer.Sniff(copy.AsSpan(0, Math.Abs(change.Item1 % copy.Length)), out _);
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
