namespace Steer.Dns;

/// <summary>Walks the questions of a validated message; use with foreach.</summary>
public ref struct DnsQuestionEnumerator
{
    private readonly ReadOnlySpan<byte> _message;
    private int _remaining;
    private int _next = DnsHeader.Size;

    internal DnsQuestionEnumerator(ReadOnlySpan<byte> message, int count)
    {
        _message = message;
        _remaining = count;
    }

    public DnsQuestionView Current { get; private set; }

    public readonly DnsQuestionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining == 0)
            return false;
        _remaining--;
        var nameEnd = WireName.SkipValidated(_message, _next);
        Current = new DnsQuestionView(_message, _next, nameEnd);
        _next = nameEnd + 4;
        return true;
    }
}
