using System.Runtime.InteropServices;
using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// The Linux backend itself: what the kernel really does with the flags it passes (protection as
/// <c>/proc/self/maps</c> shows it, residency as <c>mincore</c> shows it), the errno of a refused call, and, over a
/// scripted kernel (<see cref="ScriptedLinuxCalls"/>), what it does with answers a real kernel does not give on demand.
/// </summary>
public sealed unsafe partial class LinuxBackendFacts
{
    private const int EINTR = 4;
    private const int MAP_FIXED_NOREPLACE = 0x100000;
    private static readonly nuint Page = 4096;

    private readonly LinuxAreaBackend _os = new();

    // ---- the real kernel ----

    [Theory]
    [InlineData(PageAccess.None, "---p")]
    [InlineData(PageAccess.Read, "r--p")]
    [InlineData(PageAccess.Write, "-w-p")]
    [InlineData(PageAccess.Read | PageAccess.Write, "rw-p")]
    [InlineData(PageAccess.Execute, "--xp")]
    [InlineData(PageAccess.Read | PageAccess.Execute, "r-xp")]
    [InlineData(PageAccess.Read | PageAccess.Write | PageAccess.Execute, "rwxp")]
    public void A_mapping_has_exactly_the_requested_access(PageAccess access, string expected)
    {
        Assert.Equal(0, _os.Map(new MapRequest(2 * Page, Placement.Anywhere, 0, access, false), out nint at));
        try
        {
            Assert.Equal(expected, PermissionsAt(at));
        }
        finally
        {
            Assert.Equal(0, _os.Unmap(at, 2 * Page));
        }
    }

    [Fact]
    public void Protect_gives_the_range_exactly_the_new_access()
    {
        Assert.Equal(0, _os.Map(new MapRequest(2 * Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, false), out nint at));
        try
        {
            Assert.Equal(0, _os.Protect(at, 2 * Page, PageAccess.Read));
            Assert.Equal("r--p", PermissionsAt(at));
            Assert.Equal(0, _os.Protect(at, 2 * Page, PageAccess.Read | PageAccess.Execute));
            Assert.Equal("r-xp", PermissionsAt(at));
        }
        finally
        {
            Assert.Equal(0, _os.Unmap(at, 2 * Page));
        }
    }

    [Fact]
    public void Populate_makes_every_page_resident_at_once_and_a_plain_mapping_stays_lazy()
    {
        Assert.Equal(0, _os.Map(new MapRequest(8 * Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, true), out nint populated));
        Assert.Equal(0, _os.Map(new MapRequest(8 * Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, false), out nint lazy));
        try
        {
            Assert.Equal(8, ResidentPages(populated, 8));
            Assert.Equal(0, ResidentPages(lazy, 8));
        }
        finally
        {
            _os.Unmap(populated, 8 * Page);
            _os.Unmap(lazy, 8 * Page);
        }
    }

    [Fact]
    public void A_full_lock_makes_every_page_resident_and_a_lock_on_fault_only_the_touched_ones()
    {
        Assert.Equal(0, _os.Map(new MapRequest(8 * Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, false), out nint full));
        Assert.Equal(0, _os.Map(new MapRequest(8 * Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, false), out nint onFault));
        try
        {
            Assert.Equal(0, _os.Lock(full, 8 * Page, onFault: false));
            Assert.Equal(0, _os.Lock(onFault, 8 * Page, onFault: true));
            Assert.Equal(8, ResidentPages(full, 8));
            Assert.Equal(0, ResidentPages(onFault, 8));
            ((byte*)onFault)[3 * Page] = 1;
            Assert.Equal(1, ResidentPages(onFault, 8));
        }
        finally
        {
            _os.Unmap(full, 8 * Page);
            _os.Unmap(onFault, 8 * Page);
        }
    }

    [Fact]
    public void Calls_the_kernel_refuses_return_its_errno()
    {
        const nint Misaligned = 0x1000_0010;
        const nint NeverMapped = 0x1000; // below vm.mmap_min_addr: nothing is ever mapped there
        Assert.Equal(LinuxErrno.EINVAL, _os.Unmap(Misaligned, Page));
        Assert.Equal(LinuxErrno.EINVAL, _os.Protect(Misaligned, Page, PageAccess.Read));
        Assert.Equal(LinuxErrno.ENOMEM, _os.Lock(NeverMapped, Page, onFault: false));
        Assert.Equal(LinuxErrno.ENOMEM, _os.Lock(NeverMapped, Page, onFault: true));
        Assert.Equal(LinuxErrno.ENOMEM, _os.Map(new MapRequest((nuint)1 << 50, Placement.Anywhere, 0, PageAccess.Read, false), out nint address));
        Assert.Equal(0, address);
    }

    [Fact]
    public void An_exact_mapping_refused_for_another_reason_than_a_taken_range_reports_that_reason()
    {
        Assert.Equal(LinuxErrno.EINVAL, _os.Map(new MapRequest(Page, Placement.Exact, 0x1000_0010, PageAccess.Read, false), out nint address));
        Assert.Equal(0, address);
    }

    // ---- a scripted kernel ----

    [Fact]
    public void A_backend_needs_its_OS_calls()
    {
        Assert.Throws<ArgumentNullException>(() => new LinuxAreaBackend(null!));
    }

    [Fact]
    public void Success_is_read_from_the_return_value_never_from_a_stale_errno()
    {
        var kernel = new ScriptedLinuxCalls { Errno = EINTR };
        var os = new LinuxAreaBackend(kernel);
        Assert.Equal(0, os.Unmap(0x4000_0000, Page));
        Assert.Equal(0, os.Protect(0x4000_0000, Page, PageAccess.Read));
        Assert.Equal(0, os.Lock(0x4000_0000, Page, onFault: false));
        Assert.Equal(0, os.Lock(0x4000_0000, Page, onFault: true));
        Assert.Equal(0, os.Map(new MapRequest(Page, Placement.Anywhere, 0, PageAccess.Read, false), out nint address));
        Assert.NotEqual(0, address);
    }

    [Fact]
    public void An_old_kernel_that_maps_an_exact_request_elsewhere_is_undone_and_reported_as_taken()
    {
        const nint Wanted = 0x5000_0000, Elsewhere = 0x6000_0000;
        var kernel = new ScriptedLinuxCalls { OnMmap = (_, _, _, _) => Elsewhere };
        Assert.Equal(LinuxErrno.EEXIST, new LinuxAreaBackend(kernel).Map(new MapRequest(2 * Page, Placement.Exact, Wanted, PageAccess.Read, false), out nint address));
        Assert.Equal(0, address);
        Assert.Equal([$"munmap 0x{Elsewhere:x} {2 * Page}"], kernel.CallsOf("munmap"));
    }

    [Fact]
    public void A_hint_placed_below_the_floor_is_unmapped_and_the_first_gap_above_is_mapped_exactly()
    {
        const nint Floor = 0x5000_0000, Below = 0x1000_0000;
        nint gap = Floor + 0x3000;
        var kernel = new ScriptedLinuxCalls
        {
            OnMmap = (addr, _, _, flags) => (flags & MAP_FIXED_NOREPLACE) != 0 ? addr : Below,
            Maps = [$"{Floor:x}-{gap:x} rw-p 00000000 00:00 0"],
        };
        Assert.Equal(0, new LinuxAreaBackend(kernel).Map(new MapRequest(2 * Page, Placement.AtOrAbove, Floor, PageAccess.Read, false), out nint address));
        Assert.Equal(gap, address);
        Assert.Equal([$"munmap 0x{Below:x} {2 * Page}"], kernel.CallsOf("munmap"));
    }

    [Fact]
    public void At_or_above_gives_up_with_ENOMEM_after_eight_gaps_were_taken_before_it_could_map_them()
    {
        const nint Floor = 0x5000_0000;
        var kernel = new ScriptedLinuxCalls
        {
            OnMmap = (addr, _, _, flags) => (flags & MAP_FIXED_NOREPLACE) != 0 ? -1 : 0x1000_0000,
            Errno = LinuxErrno.EEXIST,
        };
        Assert.Equal(LinuxErrno.ENOMEM, new LinuxAreaBackend(kernel).Map(new MapRequest(Page, Placement.AtOrAbove, Floor, PageAccess.Read, false), out nint address));
        Assert.Equal(0, address);
        int exactAttempts = kernel.CallsOf("mmap").Count(c => c.EndsWith($"flags=0x{0x100022:x}", StringComparison.Ordinal));
        Assert.True(exactAttempts == LinuxAreaBackend.AtOrAboveAttempts, $"expected {LinuxAreaBackend.AtOrAboveAttempts} exact attempts, got {exactAttempts}");
    }

    [Fact]
    public void At_or_above_with_no_gap_left_below_the_end_of_user_space_tries_no_exact_mapping()
    {
        const nint Floor = 0x5000_0000;
        var kernel = new ScriptedLinuxCalls
        {
            OnMmap = (addr, _, _, flags) => (flags & MAP_FIXED_NOREPLACE) != 0 ? addr : 0x1000_0000,
            Maps = [$"{Floor:x}-{1L << 47:x} rw-p 00000000 00:00 0"],
        };
        Assert.Equal(LinuxErrno.ENOMEM, new LinuxAreaBackend(kernel).Map(new MapRequest(Page, Placement.AtOrAbove, Floor, PageAccess.Read, false), out nint address));
        Assert.Equal(0, address);
        Assert.Equal(2, kernel.CallsOf("mmap").Count + kernel.CallsOf("munmap").Count); // the hint and its undoing, nothing else
    }

    // ---- the gap search over /proc/self/maps lines ----

    [Fact]
    public void The_gap_search_takes_a_gap_of_exactly_the_size()
    {
        string[] maps = ["10000-20000 r--p 0 00:00 0", "30000-50000 rw-p 0 00:00 0", "60000-70000 rw-p 0 00:00 0"];
        Assert.Equal((nuint)0x20000, LinuxAreaBackend.FindGapAtOrAbove(maps, 0x10000, 0x10000));
        Assert.Equal((nuint)0x70000, LinuxAreaBackend.FindGapAtOrAbove(maps, 0x10000, 0x11000));
        Assert.Equal((nuint)0x70000, LinuxAreaBackend.FindGapAtOrAbove(maps, 0x10000, 0x20000));
        Assert.Equal((nuint)0x8000, LinuxAreaBackend.FindGapAtOrAbove(maps, 0x8000, 0x8000));
    }

    [Fact]
    public void The_gap_search_skips_lines_that_are_not_a_range()
    {
        string[] maps = ["", "no range here", "x y-z", "-20000 r--p", "10000-20000 r--p 0 00:00 0"];
        Assert.Equal((nuint)0x20000, LinuxAreaBackend.FindGapAtOrAbove(maps, 0x10000, 0x1000));
    }

    [Fact]
    public void Past_the_last_mapping_the_gap_must_end_by_the_end_of_user_space()
    {
        nuint end = unchecked((nuint)(1UL << 47));
        string[] maps = ["10000-20000 r--p 0 00:00 0"];
        Assert.Equal((nuint)0x20000, LinuxAreaBackend.FindGapAtOrAbove(maps, 0x10000, end - 0x20000));
        Assert.Equal((nuint)0, LinuxAreaBackend.FindGapAtOrAbove(maps, 0x10000, end - 0x20000 + 0x1000));
        Assert.Equal(end - 0x1000, LinuxAreaBackend.FindGapAtOrAbove([], end - 0x1000, 0x1000));
    }

    // ---- helpers ----

    /// <summary>The permissions column of the /proc/self/maps line whose range holds <paramref name="address"/>.</summary>
    private static string PermissionsAt(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] fields = line.Split(' ', 3);
            string[] range = fields[0].Split('-');
            ulong start = Convert.ToUInt64(range[0], 16), end = Convert.ToUInt64(range[1], 16);
            if (start <= (ulong)address && (ulong)address < end)
                return fields[1];
        }

        throw new InvalidOperationException($"0x{address:x} is not mapped");
    }

    /// <summary>How many of the <paramref name="pages"/> pages from <paramref name="address"/> are resident (mincore).</summary>
    private static int ResidentPages(nint address, int pages)
    {
        byte* vector = stackalloc byte[pages];
        Assert.Equal(0, Mincore(address, (nuint)pages * Page, vector));
        int resident = 0;
        for (int i = 0; i < pages; i++)
            resident += vector[i] & 1;
        return resident;
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int Mincore(nint addr, nuint length, byte* vec);
}
