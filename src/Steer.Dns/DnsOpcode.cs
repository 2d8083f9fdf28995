namespace Steer.Dns;

/// <summary>The 4-bit header opcode.</summary>
public enum DnsOpcode : byte
{
    Query = 0,
    InverseQuery = 1,
    Status = 2,
    Notify = 4,
    Update = 5,
}
