namespace Steer.PassiveDns.Tcp;

/// <summary>Receives the DNS messages <see cref="TcpDnsReassembler"/> takes out of a stream.</summary>
public interface ITcpDnsMessageSink
{
    /// <param name="message">The message without its length prefix; valid only during the call.</param>
    /// <param name="reassembled">It was split across segments and put back together.</param>
    void OnMessage(in TcpFlowKey flow, ReadOnlySpan<byte> message, bool reassembled);
}
