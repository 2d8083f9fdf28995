namespace Steer.Dns;

/// <summary>Walks the records of one or more consecutive sections of a validated message; use with foreach.</summary>
public ref struct DnsRecordEnumerator
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly DnsSection _last;
    private DnsSection _section;
    private int _remaining;
    private int _next;

    internal DnsRecordEnumerator(ReadOnlySpan<byte> message, int start, DnsSection first, DnsSection last)
    {
        _message = message;
        _next = start;
        _section = first;
        _last = last;
        _remaining = MessageValidator.ReadCount(message, first);
    }

    public DnsRecordView Current { get; private set; }

    public readonly DnsRecordEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_remaining == 0)
        {
            if (_section == _last)
                return false;
            _section++;
            _remaining = MessageValidator.ReadCount(_message, _section);
        }
        _remaining--;
        Current = new DnsRecordView(_message, _section, _next);
        _next = Current.RDataOffset + Current.RDataLength;
        return true;
    }
}
