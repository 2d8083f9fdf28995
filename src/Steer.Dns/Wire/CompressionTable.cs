using System.Runtime.CompilerServices;

namespace Steer.Dns;

/// <summary>
/// Where names (and their suffixes) were written so far, for compression. Fixed size and inline in
/// the writer, so writing never allocates; when full, later names are simply compressed less.
/// </summary>
internal struct CompressionTable
{
    public const int Capacity = 64;

    private Offsets _offsets;
    private Lengths _lengths;

    public int Count { get; private set; }

    /// <summary>Remembers that a name suffix of <paramref name="wireLength"/> bytes (uncompressed) starts at <paramref name="offset"/>.</summary>
    public void Add(int offset, int wireLength)
    {
        // A pointer has 14 bits: later suffixes cannot be pointed at.
        if (Count == Capacity || offset > 0x3FFF)
            return;
        _offsets[Count] = (ushort)offset;
        _lengths[Count] = (byte)wireLength;
        Count++;
    }

    public void Truncate(int count) => Count = Math.Min(Count, count);

    /// <summary>Offset of an earlier suffix equal to <paramref name="suffix"/> (uncompressed wire), or -1.</summary>
    public readonly int Find(ReadOnlySpan<byte> written, ReadOnlySpan<byte> suffix)
    {
        for (var i = 0; i < Count; i++)
        {
            if (_lengths[i] == suffix.Length && WireName.Equal(written, _offsets[i], suffix, 0))
                return _offsets[i];
        }
        return -1;
    }

    [InlineArray(Capacity)]
    private struct Offsets
    {
        private ushort _element;
    }

    [InlineArray(Capacity)]
    private struct Lengths
    {
        private byte _element;
    }
}
