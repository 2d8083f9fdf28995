namespace Steer.Policy.Rules;

/// <summary>The transport protocol a rule asks for, or that a flow uses.</summary>
public enum FlowProtocol : byte
{
    /// <summary>In a rule: TCP and UDP alike (no condition). In a flow: not known, so a rule that
    /// asks for one protocol does not match it.</summary>
    Any,

    Tcp,

    Udp,
}
