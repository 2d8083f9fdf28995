namespace Steer.Policy.Configuration;

/// <summary>
/// Lines of a text as slices of one buffer, where <see cref="TextReader.ReadLine"/> makes a string
/// of each: reading a million-line rule file then allocates nothing per line. Line breaks as
/// ReadLine has them: "\n", "\r\n" or "\r".
/// </summary>
/// <param name="bufferSize">Where a read starts; a longer line grows the buffer (small in tests).</param>
internal sealed class LineReader(TextReader reader, int bufferSize = 64 * 1024)
{
    private char[] _buffer = new char[Math.Max(bufferSize, 1)];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The next line, valid until the next call; false at the end of the text.</summary>
    public bool TryRead(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var at = pending.IndexOfAny('\r', '\n');
            // A '\r' last in the buffer may be the first half of "\r\n": read on before deciding.
            if (at >= 0 && (pending[at] == '\n' || at + 1 < pending.Length || _eof))
            {
                line = pending[..at];
                _start += at + (pending[at] == '\r' && at + 1 < pending.Length && pending[at + 1] == '\n' ? 2 : 1);
                return true;
            }
            if (_eof)
            {
                line = pending;
                _start = _end;
                return !pending.IsEmpty;
            }
            Fill();
        }
    }

    private void Fill()
    {
        var pending = _end - _start;
        if (pending == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            (_start, _end) = (0, pending);
        }
        var read = reader.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
            _eof = true;
        _end += read;
    }
}
