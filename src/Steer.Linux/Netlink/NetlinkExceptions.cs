using Steer.Linux.Native;

namespace Steer.Linux.Netlink;

/// <summary>
/// The kernel refused a netlink request: the errno, and the extended-ack text that says why
/// ("Invalid prefix length"), when the kernel gave one.
/// </summary>
public sealed class NetlinkException : LinuxException
{
    /// <summary>The kernel's NLMSGERR_ATTR_MSG text, or null when it sent none.</summary>
    public string? ExtendedAck { get; }

    public NetlinkException(string what, int errno, string? extendedAck)
        : base(extendedAck is null ? what : $"{what}: {extendedAck}", errno) => ExtendedAck = extendedAck;
}

/// <summary>
/// The kernel flagged a dump with NLM_F_DUMP_INTR: the table changed while it was being read, so
/// the list may be incomplete or hold duplicates. Retry the request; never use the partial list.
/// </summary>
public sealed class NetlinkDumpInterruptedException : Exception
{
    public NetlinkDumpInterruptedException(string what)
        : base($"{what}: the kernel's table changed during the dump (NLM_F_DUMP_INTR); retry") { }
}

/// <summary>
/// A netlink buffer that does not parse: a length that lies, a truncated header, an attribute of
/// the wrong size. <see cref="Offset"/> is where in the buffer the problem was found.
/// </summary>
public sealed class NetlinkParseException : Exception
{
    public int Offset { get; }

    public NetlinkParseException(string problem, int offset)
        : base($"malformed netlink data at offset {offset}: {problem}") => Offset = offset;
}
