namespace Steer.Dns;

/// <summary>Record classes. In an OPT record the class field is the sender's UDP payload size instead.</summary>
public enum DnsClass : ushort
{
    IN = 1,
    CH = 3,
    HS = 4,
    None = 254,
    Any = 255,
}
