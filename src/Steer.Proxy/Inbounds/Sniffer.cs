using System.Buffers.Binary;
using System.Text;

namespace Steer.Proxy.Inbounds;

public enum SniffResult { NeedMore, Found, NotFound }

/// <summary>
/// Finds the name a client asks for in its first bytes: the server_name of a TLS ClientHello, or the
/// Host header of an HTTP/1 request. Reads only; never trusts a length without checking it.
/// </summary>
public static class Sniffer
{
    private static readonly string[] HttpMethods = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "];

    public static SniffResult Sniff(ReadOnlySpan<byte> data, out string? name)
    {
        name = null;
        if (data.IsEmpty)
            return SniffResult.NeedMore;
        return data[0] == 0x16 ? SniffTls(data, out name) : SniffHttp(data, out name);
    }

    /// <summary>TLS record → handshake ClientHello → extensions → server_name (type 0) host_name.</summary>
    public static SniffResult SniffTls(ReadOnlySpan<byte> data, out string? name)
    {
        name = null;
        if (data.Length < 5)
            return SniffResult.NeedMore;
        if (data[0] != 0x16 || data[1] != 3)
            return SniffResult.NotFound;
        var recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        var record = data[5..];
        if (record.Length < recordLength)
            return record.Length < 4096 - 5 ? SniffResult.NeedMore : SniffResult.NotFound;
        record = record[..recordLength];
        if (record.Length < 4 || record[0] != 1)
            return SniffResult.NotFound;
        var helloLength = (record[1] << 16) | (record[2] << 8) | record[3];
        var hello = record[4..];
        if (hello.Length > helloLength)
            hello = hello[..helloLength];
        // version(2) random(32)
        var at = 34;
        if (!Skip8(hello, ref at) || !Skip16(hello, ref at) || !Skip8(hello, ref at))
            return SniffResult.NotFound; // session id, cipher suites, compression methods
        if (at + 2 > hello.Length)
            return SniffResult.NotFound;
        var extensionsEnd = Math.Min(hello.Length, at + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[at..]));
        at += 2;
        while (at + 4 <= extensionsEnd)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(hello[at..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(hello[(at + 2)..]);
            at += 4;
            if (at + length > extensionsEnd)
                return SniffResult.NotFound;
            if (type == 0)
                return ServerName(hello.Slice(at, length), out name);
            at += length;
        }
        return SniffResult.NotFound;
    }

    private static SniffResult ServerName(ReadOnlySpan<byte> extension, out string? name)
    {
        name = null;
        if (extension.Length < 2)
            return SniffResult.NotFound;
        var list = extension[2..];
        var at = 0;
        while (at + 3 <= list.Length)
        {
            var kind = list[at];
            var length = BinaryPrimitives.ReadUInt16BigEndian(list[(at + 1)..]);
            at += 3;
            if (at + length > list.Length)
                return SniffResult.NotFound;
            if (kind == 0)
                return Hostname(list.Slice(at, length), out name);
            at += length;
        }
        return SniffResult.NotFound;
    }

    /// <summary>HTTP/1 request line of a known method, then a Host header before the blank line.</summary>
    public static SniffResult SniffHttp(ReadOnlySpan<byte> data, out string? name)
    {
        name = null;
        var known = false;
        foreach (var method in HttpMethods)
        {
            var prefix = Encoding.ASCII.GetBytes(method);
            var n = Math.Min(prefix.Length, data.Length);
            if (data[..n].SequenceEqual(prefix.AsSpan(0, n)))
            {
                known = true;
                break;
            }
        }
        if (!known)
            return SniffResult.NotFound;
        var at = 0;
        while (true)
        {
            var end = data[at..].IndexOf((byte)'\n');
            if (end < 0)
                return SniffResult.NeedMore;
            var line = data.Slice(at, end).TrimEnd((byte)'\r');
            at += end + 1;
            if (line.IsEmpty)
                return SniffResult.NotFound; // headers ended without Host
            if (line.Length > 5 && Ascii.EqualsIgnoreCase(line[..5], "host:"u8))
            {
                var value = line[5..].Trim((byte)' ').Trim((byte)'\t');
                if (value.Length > 0 && value[0] == (byte)'[')
                    return SniffResult.NotFound; // an address literal: the address rules apply
                var colon = value.IndexOf((byte)':');
                if (colon >= 0)
                    value = value[..colon];
                return Hostname(value, out name);
            }
        }
    }

    /// <summary>Accepts letters, digits, '-', '_' and '.', at most 253 characters, lower-cased.</summary>
    private static SniffResult Hostname(ReadOnlySpan<byte> bytes, out string? name)
    {
        name = null;
        if (bytes.IsEmpty || bytes.Length > 253)
            return SniffResult.NotFound;
        foreach (var b in bytes)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.'))
                return SniffResult.NotFound;
        if (bytes.IndexOfAnyInRange((byte)'0', (byte)'9') >= 0 && System.Net.IPAddress.TryParse(Encoding.ASCII.GetString(bytes), out _))
            return SniffResult.NotFound;
        name = Encoding.ASCII.GetString(bytes).ToLowerInvariant().TrimEnd('.');
        return name.Length == 0 ? SniffResult.NotFound : SniffResult.Found;
    }

    private static bool Skip8(ReadOnlySpan<byte> data, ref int at)
    {
        if (at + 1 > data.Length)
            return false;
        at += 1 + data[at];
        return at <= data.Length;
    }

    private static bool Skip16(ReadOnlySpan<byte> data, ref int at)
    {
        if (at + 2 > data.Length)
            return false;
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        return at <= data.Length;
    }
}
