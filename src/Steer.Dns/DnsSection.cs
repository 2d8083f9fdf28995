namespace Steer.Dns;

/// <summary>The sections of a message, in wire order.</summary>
public enum DnsSection
{
    Question = 0,
    Answer = 1,
    Authority = 2,
    Additional = 3,
}
