namespace Steer.Policy.Rules;

/// <summary>
/// A growable array in fixed pages: growing adds a page and copies nothing, so neither a copy's
/// transient double nor the unused half of a doubled array is ever held — what decides the peak
/// memory of a million rules (bench/rules). Indexing costs one more load than an array.
/// </summary>
/// <remarks>Single writer; once filled, reads may run on any number of threads.</remarks>
internal sealed class PagedArray<T>
{
    private readonly int _shift;
    private readonly int _mask;
    private T[][] _pages = [];
    private int _pageCount;

    /// <param name="pageShift">log2 of the page length.</param>
    public PagedArray(int pageShift)
    {
        _shift = pageShift;
        _mask = (1 << pageShift) - 1;
    }

    /// <summary>Elements held: a multiple of the page length.</summary>
    public long Capacity => (long)_pageCount << _shift;

    public ref T this[int index] => ref _pages[index >> _shift][index & _mask];

    /// <summary>Adds pages until index <paramref name="count"/> - 1 exists.</summary>
    public void EnsureCapacity(int count)
    {
        while (Capacity < count)
        {
            if (_pageCount == _pages.Length)
                Array.Resize(ref _pages, Math.Max(4, _pageCount * 2));
            _pages[_pageCount++] = new T[1 << _shift];
        }
    }

    /// <summary>The page that holds <paramref name="index"/>, from it to the page's end.</summary>
    public Span<T> PageFrom(int index) => _pages[index >> _shift].AsSpan(index & _mask);
}
