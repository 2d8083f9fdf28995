namespace Steer.Dns.Tests;

/// <summary>
/// Real traffic: queries sent by a small Python client to dnsmasq 2.90 on 127.0.0.1 and its answers,
/// captured once (local data only: host-record, cname, mx-host, srv-host, --local-ttl=300).
/// dnsmasq compresses owner names but writes CNAME targets uncompressed; later A records point into them.
/// </summary>
internal static class Captures
{
    public static readonly byte[] AQuery = Hex("12340100000100000000000003777777076578616d706c6504746573740000010001");

    /// <summary>www.example.test A: 192.0.2.10 and 192.0.2.11, TTL 300.</summary>
    public static readonly byte[] AAnswer = Hex(
        "12348580000100020000000003777777076578616d706c6504746573740000010001c00c000100010000012c0004c000020a" +
        "c00c000100010000012c0004c000020b");

    public static readonly byte[] AaaaQueryEdns = Hex(
        "23450100000100000000000103777777076578616d706c65047465737400001c000100002904d0000000000000");

    /// <summary>www.example.test AAAA 2001:db8::10, with OPT (1232 bytes).</summary>
    public static readonly byte[] AaaaAnswerEdns = Hex(
        "23458580000100010000000103777777076578616d706c65047465737400001c0001c00c001c00010000012c0010" +
        "20010db800000000000000000000001000002904d0000000000000");

    /// <summary>a2.example.test → alias.example.test → www.example.test → 192.0.2.11, 192.0.2.10.</summary>
    public static readonly byte[] ChainAnswer = Hex(
        "345685800001000400000001026132076578616d706c6504746573740000010001c00c000500010000012c0014" +
        "05616c696173076578616d706c65047465737400c02d000500010000012c001203777777076578616d706c650474657374" +
        "00c04d000100010000012c0004c000020bc04d000100010000012c0004c000020a00002904d0000000000000");

    /// <summary>example.test MX 10 mail.example.test, with the A of mail.example.test in the additional section.</summary>
    public static readonly byte[] MxAnswer = Hex(
        "456785800001000100000001076578616d706c65047465737400000f0001c00c000f00010000012c0015000a046d61696c" +
        "076578616d706c65047465737400c02c000100010000012c0004c0000219");

    public static readonly byte[] SrvAnswer = Hex(
        "567885800001000100000000045f736970045f756470076578616d706c6504746573740000210001c00c0021000100" +
        "00012c00180001000213c403736970076578616d706c65047465737400");

    public static readonly byte[] NxDomainEdns = Hex(
        "678981830001000000000001076e6f7468657265076578616d706c650474657374000001000100002904d0000000000000");

    public static readonly byte[] PtrAnswer = Hex(
        "789a85800001000100000000023130013201300331393207696e2d61646472046172706100000c0001c00c000c0001" +
        "0000012c001203777777076578616d706c65047465737400");

    public static IEnumerable<byte[]> All =>
        [AQuery, AAnswer, AaaaQueryEdns, AaaaAnswerEdns, ChainAnswer, MxAnswer, SrvAnswer, NxDomainEdns, PtrAnswer];

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
