using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.Support;
using AreaMalloc.Properties.Runner;
using AreaMalloc.TestKit.Settings;
using FsCheck;
using FsCheck.Fluent;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// Handles: how another team names an area (<see cref="AreaRegistry.ExportArea"/>) and clones it
/// (<see cref="AreaRegistry.CloneArea(string, ref nint, uint, uint, AreaHandle)"/>), with Haiku's checks for another
/// team. Here the "other team" is a second registry in this process, which opens the memory through
/// <c>/proc/self/fd</c> exactly as another process opens it through <c>/proc/&lt;pid&gt;/fd</c>
/// (<see cref="CrossProcessCloneFacts"/> does it from a real child process).
/// </summary>
public sealed unsafe class AreaHandleFacts : IDisposable
{
    private const uint ReadWrite = B_READ_AREA | B_WRITE_AREA;
    private const uint Shared = ReadWrite | B_CLONEABLE_AREA;
    private static readonly nuint Size = 2 * B_PAGE_SIZE;

    private readonly RecordingBackend _ownerBackend = new();
    private readonly RecordingBackend _otherBackend = new();
    private readonly AreaRegistry _owner;
    private readonly AreaRegistry _other;

    public AreaHandleFacts()
    {
        _owner = new AreaRegistry(_ownerBackend);
        _other = new AreaRegistry(_otherBackend);
    }

    public void Dispose()
    {
        foreach (AreaRegistry registry in new[] { _other, _owner })
        {
            foreach (AreaInfo area in registry.Snapshot())
            {
                registry.DeleteArea(area.Id);
            }
        }
    }

    private AreaHandle Export(uint protection = Shared, uint lockSpec = B_NO_LOCK)
    {
        nint address = 0;
        int id = _owner.CreateArea("owner", ref address, B_ANY_ADDRESS, Size, lockSpec, protection);
        Assert.True(id > 0, $"create_area failed with {id}");
        Assert.Equal(B_OK, _owner.ExportArea(id, out AreaHandle handle));
        return handle;
    }

    private int Clone(AreaHandle handle, uint protection = ReadWrite, uint addressSpec = B_ANY_ADDRESS, nint at = 0)
    {
        nint address = at;
        return _other.CloneArea("clone", ref address, addressSpec, protection, handle);
    }

    private static byte* At(AreaRegistry registry, int id)
    {
        Assert.Equal(B_OK, registry.GetAreaInfo(id, out AreaInfo info));
        return (byte*)info.Address;
    }

    [SpecRow("clone-export")]
    [Fact]
    public void An_exported_handle_names_this_process_the_area_its_memory_and_what_a_clone_may_ask()
    {
        nint address = 0;
        int id = _owner.CreateArea("owner", ref address, B_ANY_ADDRESS, Size, B_LAZY_LOCK, Shared);

        Assert.Equal(B_OK, _owner.ExportArea(id, out AreaHandle h));
        Assert.Equal(Environment.ProcessId, h.ProcessId);
        Assert.Equal(id, h.AreaId);
        Assert.True(h.Memory >= 0);
        Assert.NotEqual(0UL, h.Tag);
        Assert.Equal(address, h.Address);
        Assert.Equal(Size, h.Size);
        Assert.Equal(B_LAZY_LOCK, h.Lock);
        Assert.Equal(Shared, h.Protection);
        Assert.Equal($"/memfd:area_malloc:{h.Tag:x16}:{(ulong)Size:x} (deleted)", new FileInfo($"/proc/self/fd/{h.Memory}").LinkTarget);
    }

    [SpecRow("clone-export")]
    [Fact]
    public void A_private_area_exports_a_handle_without_memory_and_an_unknown_area_none()
    {
        AreaHandle h = Export(ReadWrite);

        Assert.Equal(-1, h.Memory);
        Assert.Equal(0UL, h.Tag);
        Assert.Equal(B_BAD_VALUE, _owner.ExportArea(h.AreaId + 1, out AreaHandle none));
        Assert.Equal(default, none);
    }

    [Fact]
    public void A_clone_through_a_handle_sees_the_owners_bytes_and_the_owner_sees_its_writes()
    {
        AreaHandle h = Export();
        byte* owner = (byte*)h.Address;
        owner[10] = 0x10;
        int clone = Clone(h);
        Assert.True(clone > 0, $"status {clone}");
        byte* c = At(_other, clone);

        Assert.NotEqual((nint)owner, (nint)c);
        Assert.Equal(0x10, c[10]);
        c[Size - 1] = 0xEE;
        Assert.Equal(0xEE, owner[Size - 1]);
        Assert.Equal(B_OK, _other.GetAreaInfo(clone, out AreaInfo info));
        Assert.Equal((Size, B_NO_LOCK, ReadWrite, B_ANY_ADDRESS), (info.Size, info.Lock, info.Protection, info.AddressSpec));
        Assert.Equal(new[] { "open memory read-write" }, _otherBackend.Calls.Where(s => s.StartsWith("open", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_read_only_clone_opens_the_memory_read_only_so_the_OS_refuses_to_make_it_writable()
    {
        AreaHandle h = Export();
        int clone = Clone(h, B_READ_AREA);
        Assert.True(clone > 0, $"status {clone}");
        _other.GetAreaInfo(clone, out AreaInfo info);

        Assert.Equal("r--s", ProcMapsLine.At(info.Address).Permissions);
        Assert.Equal(13, _other.Backend.Protect(info.Address, info.Size, PageAccess.Read | PageAccess.Write)); // EACCES
        Assert.Equal("r--s", ProcMapsLine.At(info.Address).Permissions);
        Assert.Contains("open memory read-only", _otherBackend.Calls);
    }

    [Fact]
    public void A_handle_clone_is_itself_shared_memory_that_its_own_team_can_clone_again()
    {
        AreaHandle h = Export();
        int clone = Clone(h, ReadWrite);
        nint address = 0;
        int again = _other.CloneArea("again", ref address, B_ANY_ADDRESS, B_READ_AREA, clone);
        ((byte*)h.Address)[3] = 0x33;

        Assert.True(again > 0, $"status {again}");
        Assert.Equal(0x33, At(_other, again)[3]);
        Assert.True(_other.SharesMemory(clone, again));
    }

    [SpecRow("clone-protection")]
    [Fact]
    public void Memory_a_team_cloned_read_only_from_another_team_is_B_NOT_ALLOWED_to_write_even_through_its_own_clones()
    {
        AreaHandle h = Export();
        int readOnly = Clone(h, B_READ_AREA);
        nint address = 0;

        Assert.Equal(B_NOT_ALLOWED, _other.CloneArea("again", ref address, B_ANY_ADDRESS, ReadWrite, readOnly));
        Assert.Equal(B_NOT_ALLOWED, _other.CloneArea("again", ref address, B_ANY_ADDRESS, B_READ_AREA | B_KERNEL_WRITE_AREA, readOnly));
        Assert.True(_other.CloneArea("again", ref address, B_ANY_ADDRESS, B_READ_AREA, readOnly) > 0);
        Assert.Equal(2, _other.Count);
    }

    [SpecRow("clone-from-handle")]
    [Fact]
    public void An_area_without_B_CLONEABLE_AREA_is_B_NOT_ALLOWED_to_another_team_and_nothing_is_opened()
    {
        AreaHandle h = Export(ReadWrite);

        Assert.Equal(B_NOT_ALLOWED, Clone(h, B_READ_AREA));
        Assert.Equal(B_NOT_ALLOWED, Clone(h with { Memory = 3, Tag = 1 }, B_READ_AREA)); // whatever the handle says of its memory
        Assert.Empty(_otherBackend.Calls);
    }

    [Theory]
    [InlineData(B_WRITE_AREA)]
    [InlineData(B_READ_AREA | B_WRITE_AREA)]
    [InlineData(B_READ_AREA | B_KERNEL_WRITE_AREA)]
    public void Writing_an_area_that_may_not_be_written_is_B_NOT_ALLOWED_to_another_team(uint protection)
    {
        AreaHandle h = Export(B_READ_AREA | B_CLONEABLE_AREA);

        Assert.Equal(B_NOT_ALLOWED, Clone(h, protection));
        Assert.Empty(_otherBackend.Calls);
        Assert.True(Clone(h, B_READ_AREA | B_KERNEL_READ_AREA | B_EXECUTE_AREA) > 0); // reading and executing it may
    }

    [Fact]
    public void An_area_that_may_be_written_only_by_the_kernel_may_be_cloned_writable()
    {
        AreaHandle h = Export(B_READ_AREA | B_KERNEL_WRITE_AREA | B_CLONEABLE_AREA);

        Assert.True(Clone(h, ReadWrite) > 0);
    }

    [SpecRow("clone-from-handle")]
    [Fact]
    public void A_handle_whose_area_was_deleted_is_B_BAD_VALUE_and_leaves_nothing_open()
    {
        AreaHandle h = Export();
        _owner.DeleteArea(h.AreaId);

        Assert.Equal(B_BAD_VALUE, Clone(h));
        Assert.Equal(0, _otherBackend.OpenMemories);
        Assert.Equal(0, _otherBackend.MappedBytes);
    }

    [Fact]
    public void A_handle_whose_descriptor_now_names_other_memory_is_B_BAD_VALUE_and_nothing_is_mapped()
    {
        AreaHandle gone = Export();
        AreaHandle other = Export();
        byte* otherBytes = (byte*)other.Address;
        otherBytes[0] = 0x44;

        // The descriptor of `other`, named with the tag of `gone`: what a handle looks like once its area was deleted
        // and its descriptor number reused.
        Assert.Equal(B_BAD_VALUE, Clone(gone with { Memory = other.Memory }));
        Assert.Equal(B_BAD_VALUE, Clone(other with { Size = 2 * Size }));
        Assert.Equal(0, _otherBackend.OpenMemories);
        Assert.Equal(0, _otherBackend.MappedBytes);
        Assert.Equal(0x44, otherBytes[0]);
    }

    [Fact]
    public void A_handle_naming_a_descriptor_that_is_not_memory_is_B_BAD_VALUE()
    {
        AreaHandle h = Export();
        using var file = new FileStream(typeof(AreaHandleFacts).Assembly.Location, FileMode.Open, FileAccess.Read);

        Assert.Equal(B_BAD_VALUE, Clone(h with { Memory = (int)file.SafeFileHandle.DangerousGetHandle() }, B_READ_AREA));
        Assert.Equal(0, _otherBackend.OpenMemories);
    }

    [Fact]
    public void A_handle_of_a_process_that_does_not_exist_is_B_BAD_VALUE()
    {
        AreaHandle h = Export();

        Assert.Equal(B_BAD_VALUE, Clone(h with { ProcessId = int.MaxValue }));
        Assert.Equal(B_BAD_VALUE, Clone(h with { Memory = 999_999 }));
    }

    [Theory]
    [InlineData(13, B_PERMISSION_DENIED)] // EACCES: the owner may not be read (another user, not dumpable)
    [InlineData(1, B_NO_MEMORY)]
    [InlineData(24, B_NO_MEMORY)] // EMFILE
    public void A_memory_the_OS_refuses_to_open_reports_its_errno_as_a_Be_status(int errno, int status)
    {
        AreaHandle h = Export();
        _otherBackend.FailOpenMemoryWith = errno;

        Assert.Equal(status, Clone(h));
        Assert.Equal(0, _otherBackend.OpenMemories);
        Assert.Equal(0, _other.Count);
    }

    [Fact]
    public void A_handle_clone_the_OS_cannot_map_closes_what_it_opened()
    {
        AreaHandle h = Export();
        _otherBackend.FailMapWith = 12;

        Assert.Equal(B_NO_MEMORY, Clone(h));
        Assert.Equal(0, _otherBackend.OpenMemories);
        Assert.Equal(0, _other.Count);
    }

    [SpecRow("clone-clone-address")]
    [Fact]
    public void B_CLONE_ADDRESS_places_the_clone_at_the_owners_address_which_in_another_process_is_free()
    {
        AreaHandle h = Export();

        // In this process the owner's range is taken: the request is for exactly that range, and the kernel says no.
        Assert.Equal(B_NO_MEMORY, Clone(h, addressSpec: B_CLONE_ADDRESS));
        Assert.Equal(new MapRequest(Size, Placement.Exact, h.Address, PageAccess.Read | PageAccess.Write, false), _otherBackend.MapRequests[^1] with { Memory = null });
        Assert.Equal(0, _otherBackend.OpenMemories);
    }

    [SpecRow("clone-lock")]
    [Fact]
    public void A_fully_locked_area_gives_clones_that_report_its_lock_and_have_every_page_mapped_in()
    {
        AreaHandle h = Export(lockSpec: B_FULL_LOCK);
        int clone = Clone(h, B_READ_AREA);

        Assert.True(clone > 0);
        Assert.True(_otherBackend.MapRequests[^1].Populate);
        Assert.Empty(_otherBackend.Locks);
        Assert.Equal(B_OK, _other.GetAreaInfo(clone, out AreaInfo info));
        Assert.Equal(B_FULL_LOCK, info.Lock);
    }

    public static TheoryData<string> MalformedHandles() => new()
    {
        "process id 0",
        "negative process id",
        "size 0",
        "size not a multiple of the page",
        "misaligned address",
        "unknown lock spec",
        "unknown protection bit",
    };

    [SpecRow("clone-from-handle")]
    [Theory]
    [MemberData(nameof(MalformedHandles))]
    public void A_malformed_handle_is_B_BAD_VALUE_before_any_OS_call(string what)
    {
        AreaHandle h = Export();
        AreaHandle bad = what switch
        {
            "process id 0" => h with { ProcessId = 0 },
            "negative process id" => h with { ProcessId = -5 },
            "size 0" => h with { Size = 0 },
            "size not a multiple of the page" => h with { Size = Size + 1 },
            "misaligned address" => h with { Address = h.Address + 16 },
            "unknown lock spec" => h with { Lock = 5 },
            _ => h with { Protection = h.Protection | 0x1000 },
        };

        Assert.Equal(B_BAD_VALUE, Clone(bad));
        Assert.Empty(_otherBackend.Calls);
    }

    [Fact]
    public void A_cloneable_handle_without_memory_is_B_BAD_VALUE()
    {
        AreaHandle h = Export();

        Assert.Equal(B_BAD_VALUE, Clone(h with { Memory = -1 }));
        Assert.Equal(0, _otherBackend.OpenMemories);
        Assert.Equal(0, _other.Count);
    }

    [Fact]
    public void The_handle_text_is_cloned_from_as_the_handle_and_text_that_is_not_a_handle_is_B_BAD_VALUE()
    {
        AreaHandle h = Export();
        nint address = 0;

        Assert.True(_other.CloneArea("text", ref address, B_ANY_ADDRESS, B_READ_AREA, h.ToString()) > 0);
        string[] fields = h.ToString().Split(':');
        IEnumerable<string> oneFieldWrong = Enumerable.Range(1, fields.Length - 1)
            .Select(i => string.Join(':', fields.Select((f, j) => j == i ? (i is 7 or 8 ? "-1" : "x") : f)));
        foreach (string text in new[] { "", "area", "garbage", h.ToString() + ":1", h.ToString()[1..], h.ToString().Replace("area:", "zone:", StringComparison.Ordinal) }.Concat(oneFieldWrong))
        {
            address = 0;
            Assert.Equal(B_BAD_VALUE, _other.CloneArea("text", ref address, B_ANY_ADDRESS, B_READ_AREA, text));
        }

        Assert.Equal(1, _other.Count);
    }

    [Fact]
    public void A_clone_is_named_and_its_address_spec_and_address_checked_as_for_any_clone()
    {
        AreaHandle h = Export();
        nint address = 0;

        Assert.Throws<ArgumentNullException>(() => _other.CloneArea(null!, ref address, B_ANY_ADDRESS, B_READ_AREA, h));
        Assert.Equal(B_BAD_VALUE, Clone(h, addressSpec: B_ANY_KERNEL_ADDRESS));
        Assert.Equal(B_BAD_VALUE, Clone(h, B_READ_AREA | 0x40));
        Assert.Equal(B_BAD_VALUE, Clone(h, addressSpec: B_EXACT_ADDRESS, at: 0));
        Assert.Empty(_otherBackend.Calls);
    }

    [Fact]
    public void Text_that_is_not_a_handle_does_not_parse_and_gives_the_default_handle()
    {
        string[] fields = Export().ToString().Split(':');
        IEnumerable<string> oneFieldWrong = Enumerable.Range(0, fields.Length)
            .Select(i => string.Join(':', fields.Select((f, j) => j == i ? "-" : f)));

        foreach (string? text in new[] { null, "", "area", string.Join(':', fields[..^1]), string.Join(':', fields) + ":0" }.Concat(oneFieldWrong))
        {
            Assert.False(AreaHandle.TryParse(text, out AreaHandle handle), $"`{text}` parsed");
            Assert.Equal(default, handle);
        }

        nint address = 0;
        Assert.Equal(B_BAD_VALUE, _other.CloneArea("text", ref address, B_ANY_ADDRESS, B_READ_AREA, (string)null!));
    }

    [Fact]
    public void A_clone_within_the_team_needs_a_name_and_maps_nothing_without_one()
    {
        AreaHandle h = Export();
        nint address = 0;
        int calls = _ownerBackend.Calls.Count;

        Assert.Throws<ArgumentNullException>(() => _owner.CloneArea(null!, ref address, B_ANY_ADDRESS, B_READ_AREA, h.AreaId));
        Assert.Equal(calls, _ownerBackend.Calls.Count);
    }

    [BudgetedProperty]
    public Property The_text_of_any_handle_reads_back_as_the_same_handle() =>
        Prop.ForAll(
            Arb.From(
                from pid in ArbMap.Default.GeneratorFor<int>()
                from area in ArbMap.Default.GeneratorFor<int>()
                from memory in Gen.Choose(-1, 1 << 20)
                from tag in ArbMap.Default.GeneratorFor<ulong>()
                from address in ArbMap.Default.GeneratorFor<long>()
                from size in ArbMap.Default.GeneratorFor<ulong>()
                from lockSpec in ArbMap.Default.GeneratorFor<uint>()
                from protection in ArbMap.Default.GeneratorFor<uint>()
                select new AreaHandle(pid, area, memory, tag, (nint)address, (nuint)size, lockSpec, protection)),
            h => AreaHandle.TryParse(h.ToString(), out AreaHandle back) && back == h);
}
