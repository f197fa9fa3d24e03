using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.ConcurrencyTests.Facts;

/// <summary>Facts about the quarantining backend the delete-race scenarios rely on.</summary>
public sealed unsafe class QuarantiningBackendFacts : IDisposable
{
    private const nuint Size = 4 * B_PAGE_SIZE;
    private readonly QuarantiningAreaBackend _backend = new();

    /// <inheritdoc />
    public void Dispose() => _backend.Dispose();

    [Fact]
    public void An_unmapped_range_stays_readable_and_unchanged_ranges_report_nothing()
    {
        nint address = Map();
        ((byte*)address)[100] = 42;

        Assert.Equal(0, _backend.Unmap(address, Size));

        Assert.Equal(42, ((byte*)address)[100]);
        Assert.Empty(_backend.FindWritesAfterUnmap());
        Assert.Equal(0UL, _backend.LiveBytes);
        Assert.NotNull(_backend.FindQuarantined(address + 100));
        Assert.Null(_backend.FindQuarantined(address + (nint)Size));
    }

    [Fact]
    public void A_write_after_the_unmap_is_reported_with_its_offset()
    {
        nint address = Map();
        _backend.Unmap(address, Size);

        ((byte*)address)[0x123] = 7;

        string write = Assert.Single(_backend.FindWritesAfterUnmap());
        Assert.Contains("offset 0x123", write, StringComparison.Ordinal);
        Assert.Contains("1 byte(s)", write, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_unmap_of_the_same_bytes_is_recorded()
    {
        nint address = Map();
        _backend.Unmap(address, Size);
        _backend.Unmap(address + B_PAGE_SIZE, B_PAGE_SIZE);

        Assert.Single(_backend.DoubleUnmaps);
    }

    [Fact]
    public void Live_bytes_count_what_is_mapped_and_not_unmapped()
    {
        nint first = Map();
        Map();
        Assert.Equal(2 * (ulong)Size, _backend.LiveBytes);
        _backend.Unmap(first, Size);
        Assert.Equal((ulong)Size, _backend.LiveBytes);
    }

    private nint Map()
    {
        Assert.Equal(0, _backend.Map(new MapRequest(Size, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, Populate: false), out nint address));
        return address;
    }
}
