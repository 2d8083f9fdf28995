namespace Steer.Dns;

/// <summary>
/// Response codes. The header holds the low 4 bits; EDNS0 (RFC 6891 §6.1.3) adds 8 high bits in the
/// OPT record, so a full code is 12 bits. Values above 15 need an OPT record to be expressed.
/// </summary>
public enum DnsRcode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NXDomain = 3,
    NotImp = 4,
    Refused = 5,
    YXDomain = 6,
    YXRRSet = 7,
    NXRRSet = 8,
    NotAuth = 9,
    NotZone = 10,
    BadVers = 16,
    BadCookie = 23,
}
