using AreaMalloc.Areas;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.Support;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// The Linux backend's shared memory: over the real kernel, what a memory object is (sized, sealed, mapped shared);
/// over a scripted kernel (<see cref="ScriptedLinuxCalls"/>), the exact calls it makes and what it does with the
/// answers a real kernel does not give on demand (no MFD_NOEXEC_SEAL, a size or seal refused, a failed open or close).
/// </summary>
public sealed unsafe class SharedMemoryBackendFacts
{
    private const int EINVAL = 22, EPERM = 1, ENOMEM = 12, EMFILE = 24, EIO = 5, ENOENT = 2;
    private const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_NOEXEC_SEAL = 8;
    private const int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4;
    private const int O_RDWR = 2, O_CLOEXEC = 0x80000;
    private const int MAP_SHARED = 0x01, MAP_FIXED = 0x10, MAP_POPULATE = 0x8000;
    private static readonly nuint Page = 4096;

    private readonly LinuxAreaBackend _os = new();

    // ---- the real kernel ----

    [Fact]
    public void A_memory_object_is_zero_filled_mapped_shared_and_sealed_at_its_size()
    {
        Assert.Equal(0, _os.CreateMemory("area_malloc:test", 2 * Page, out int memory));
        try
        {
            Assert.Equal(0, _os.Map(new MapRequest(2 * Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, false, memory), out nint a));
            Assert.Equal(0, _os.Map(new MapRequest(2 * Page, Placement.Anywhere, 0, PageAccess.Read, true, memory), out nint b));
            byte* pa = (byte*)a, pb = (byte*)b;
            Assert.Equal(0, pb[2 * Page - 1]);
            pa[2 * Page - 1] = 0x7E;
            Assert.Equal(0x7E, pb[2 * Page - 1]);
            Assert.Equal("rw-s", ProcMapsLine.At(a).Permissions);
            Assert.Equal("r--s", ProcMapsLine.At(b).Permissions);
            Assert.Equal("area_malloc:test", _os.MemoryName(memory));
            Assert.Equal(-1, LinuxNative.Ftruncate(memory, (long)Page)); // sealed: nobody holding it can shrink it
            Assert.Equal(-1, LinuxNative.Ftruncate(memory, (long)(4 * Page))); // nor grow it
            Assert.Equal(0, _os.Unmap(a, 2 * Page));
            Assert.Equal(0, _os.Unmap(b, 2 * Page));
        }
        finally
        {
            Assert.Equal(0, _os.CloseMemory(memory));
        }

        Assert.Null(_os.MemoryName(memory));
    }

    [Fact]
    public void A_memory_object_opened_read_only_cannot_be_mapped_writable_and_read_write_can()
    {
        Assert.Equal(0, _os.CreateMemory("area_malloc:open", Page, out int memory));
        Assert.Equal(0, _os.OpenMemory(Environment.ProcessId, memory, writable: false, out int readOnly));
        Assert.Equal(0, _os.OpenMemory(Environment.ProcessId, memory, writable: true, out int readWrite));
        try
        {
            Assert.Equal(13, _os.Map(new MapRequest(Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, false, readOnly), out nint none)); // EACCES
            Assert.Equal(0, none);
            Assert.Equal(0, _os.Map(new MapRequest(Page, Placement.Anywhere, 0, PageAccess.Read | PageAccess.Write, false, readWrite), out nint at));
            Assert.Equal("area_malloc:open", _os.MemoryName(readOnly));
            Assert.Equal(0, _os.Unmap(at, Page));
        }
        finally
        {
            _os.CloseMemory(readOnly);
            _os.CloseMemory(readWrite);
            _os.CloseMemory(memory);
        }
    }

    [Fact]
    public void Opening_a_descriptor_that_does_not_exist_is_ENOENT_and_closing_one_is_EBADF()
    {
        Assert.Equal(ENOENT, _os.OpenMemory(Environment.ProcessId, 999_999, writable: false, out int opened));
        Assert.Equal(-1, opened);
        Assert.Equal(9, _os.CloseMemory(999_999)); // EBADF
        Assert.Null(_os.MemoryName(999_999));
    }

    [Fact]
    public void A_backend_without_shared_memory_answers_ENOSYS_and_has_no_names()
    {
        IAreaBackend plain = new PlainBackend();

        Assert.Equal(LinuxErrno.ENOSYS, plain.CreateMemory("x", Page, out int memory));
        Assert.Equal(-1, memory);
        Assert.Equal(LinuxErrno.ENOSYS, plain.OpenMemory(1, 3, true, out int opened));
        Assert.Equal(-1, opened);
        Assert.Null(plain.MemoryName(3));
        Assert.Equal(LinuxErrno.ENOSYS, plain.CloseMemory(3));
    }

    // ---- a scripted kernel ----

    [Fact]
    public void Memory_is_created_close_on_exec_sealable_and_never_executable_then_sized_and_sealed()
    {
        var kernel = new ScriptedLinuxCalls();

        Assert.Equal(0, new LinuxAreaBackend(kernel).CreateMemory("area_malloc:m", 3 * Page, out int memory));
        Assert.Equal(100, memory);
        Assert.Equal(
            new[]
            {
                $"memfd_create area_malloc:m 0x{MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL:x}",
                $"ftruncate 100 {3 * Page}",
                $"fcntl 100 {F_ADD_SEALS} 0x{F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL:x}",
            },
            kernel.Calls);
    }

    [Fact]
    public void A_kernel_without_MFD_NOEXEC_SEAL_is_asked_again_without_it()
    {
        var kernel = new ScriptedLinuxCalls { Errno = EINVAL };
        kernel.OnMemfdCreate = (_, flags) => (flags & MFD_NOEXEC_SEAL) != 0 ? -1 : 7;

        Assert.Equal(0, new LinuxAreaBackend(kernel).CreateMemory("m", Page, out int memory));
        Assert.Equal(7, memory);
        Assert.Equal($"memfd_create m 0x{MFD_CLOEXEC | MFD_ALLOW_SEALING:x}", kernel.Calls[1]);
    }

    [Fact]
    public void A_memory_on_descriptor_0_is_a_success_whatever_errno_holds()
    {
        var kernel = new ScriptedLinuxCalls { Errno = EINVAL, OnMemfdCreate = (_, _) => 0 };

        Assert.Equal(0, new LinuxAreaBackend(kernel).CreateMemory("m", Page, out int memory));
        Assert.Equal(0, memory);
        Assert.Single(kernel.CallsOf("memfd_create"));
        Assert.Equal(new[] { "ftruncate 0 4096" }, kernel.CallsOf("ftruncate"));
    }

    [Theory]
    [InlineData(EMFILE)]
    [InlineData(ENOMEM)]
    [InlineData(EPERM)]
    public void A_memory_the_kernel_refuses_for_another_reason_is_not_asked_for_again(int errno)
    {
        var kernel = new ScriptedLinuxCalls { Errno = errno, OnMemfdCreate = (_, _) => -1 };

        Assert.Equal(errno, new LinuxAreaBackend(kernel).CreateMemory("m", Page, out int memory));
        Assert.Equal(-1, memory);
        Assert.Single(kernel.Calls);
    }

    [Fact]
    public void A_kernel_that_refuses_both_ways_reports_the_second_refusal()
    {
        var kernel = new ScriptedLinuxCalls { Errno = EINVAL };
        kernel.OnMemfdCreate = (_, flags) =>
        {
            if ((flags & MFD_NOEXEC_SEAL) == 0)
            {
                kernel.Errno = EMFILE; // the retry fails for its own reason
            }

            return -1;
        };

        Assert.Equal(EMFILE, new LinuxAreaBackend(kernel).CreateMemory("m", Page, out int memory));
        Assert.Equal(-1, memory);
        Assert.Equal(2, kernel.CallsOf("memfd_create").Count);
    }

    [Fact]
    public void A_memory_that_cannot_be_sized_is_closed_and_the_size_errno_reported()
    {
        var kernel = new ScriptedLinuxCalls { Errno = ENOMEM, OnFtruncate = (_, _) => -1 };
        kernel.OnClose = _ =>
        {
            kernel.Errno = EIO; // close must not overwrite the errno being reported
            return 0;
        };

        Assert.Equal(ENOMEM, new LinuxAreaBackend(kernel).CreateMemory("m", Page, out int memory));
        Assert.Equal(-1, memory);
        Assert.Equal(new[] { "close 100" }, kernel.CallsOf("close"));
        Assert.Empty(kernel.CallsOf("fcntl"));
    }

    [Fact]
    public void A_memory_that_cannot_be_sealed_is_closed_and_the_seal_errno_reported()
    {
        var kernel = new ScriptedLinuxCalls { Errno = EPERM, OnFcntl = (_, _, _) => -1 };

        Assert.Equal(EPERM, new LinuxAreaBackend(kernel).CreateMemory("m", Page, out int memory));
        Assert.Equal(-1, memory);
        Assert.Equal(new[] { "close 100" }, kernel.CallsOf("close"));
    }

    [Fact]
    public void A_seal_call_that_returns_a_positive_value_succeeded()
    {
        var kernel = new ScriptedLinuxCalls { Errno = EPERM, OnFcntl = (_, _, _) => 1 };

        Assert.Equal(0, new LinuxAreaBackend(kernel).CreateMemory("m", Page, out int memory));
        Assert.Equal(100, memory);
        Assert.Empty(kernel.CallsOf("close"));
    }

    [Fact]
    public void Memory_of_another_process_is_opened_through_its_descriptor_in_proc_read_only_or_read_write()
    {
        var kernel = new ScriptedLinuxCalls();
        var backend = new LinuxAreaBackend(kernel);

        Assert.Equal(0, backend.OpenMemory(4242, 17, writable: false, out int readOnly));
        Assert.Equal(0, backend.OpenMemory(4242, 17, writable: true, out int readWrite));
        Assert.Equal((100, 101), (readOnly, readWrite));
        Assert.Equal(new[] { $"open /proc/4242/fd/17 0x{O_CLOEXEC:x}", $"open /proc/4242/fd/17 0x{O_RDWR | O_CLOEXEC:x}" }, kernel.Calls);
    }

    [Fact]
    public void An_open_the_kernel_refuses_reports_its_errno_and_no_handle()
    {
        var kernel = new ScriptedLinuxCalls { Errno = ENOENT, OnOpen = (_, _) => -1 };

        Assert.Equal(ENOENT, new LinuxAreaBackend(kernel).OpenMemory(1, 2, false, out int opened));
        Assert.Equal(-1, opened);
    }

    [Fact]
    public void An_open_that_returns_descriptor_0_succeeded()
    {
        var kernel = new ScriptedLinuxCalls { Errno = ENOENT, OnOpen = (_, _) => 0 };

        Assert.Equal(0, new LinuxAreaBackend(kernel).OpenMemory(1, 2, false, out int opened));
        Assert.Equal(0, opened);
    }

    [Theory]
    [InlineData("/memfd:area_malloc:00ff:1000 (deleted)", "area_malloc:00ff:1000")]
    [InlineData("/memfd: (deleted)", "")]
    [InlineData("/memfd:x (deleted) (deleted)", "x (deleted)")]
    [InlineData("/memfd:x", null)]
    [InlineData("/tmp/x (deleted)", null)]
    [InlineData("memfd:x (deleted)", null)]
    [InlineData("/dev/shm/area (deleted)", null)]
    [InlineData(null, null)]
    public void A_memory_name_is_read_from_the_descriptors_link_in_proc_self(string? link, string? name)
    {
        var kernel = new ScriptedLinuxCalls { OnReadLink = _ => link };

        Assert.Equal(name, new LinuxAreaBackend(kernel).MemoryName(42));
        Assert.Equal(new[] { "readlink /proc/self/fd/42" }, kernel.Calls);
    }

    [Fact]
    public void Close_reports_the_kernels_errno_only_when_it_fails()
    {
        var kernel = new ScriptedLinuxCalls { Errno = EIO };
        var backend = new LinuxAreaBackend(kernel);

        Assert.Equal(0, backend.CloseMemory(5));
        kernel.OnClose = _ => -1;
        Assert.Equal(EIO, backend.CloseMemory(5));
    }

    [Fact]
    public void Shared_memory_is_mapped_MAP_SHARED_from_its_descriptor_and_private_memory_anonymous_from_none()
    {
        var kernel = new ScriptedLinuxCalls();
        var backend = new LinuxAreaBackend(kernel);

        Assert.Equal(0, backend.Map(new MapRequest(Page, Placement.Anywhere, 0, PageAccess.Read, true, 9), out _));
        Assert.Equal(0, backend.Map(new MapRequest(Page, Placement.Anywhere, 0, PageAccess.Read, false), out _));
        Assert.Equal(new[] { $"mmap 0x0 {Page} prot=1 flags=0x{MAP_SHARED | MAP_POPULATE:x} fd=9", $"mmap 0x0 {Page} prot=1 flags=0x22" }, kernel.Calls);
    }

    [Fact]
    public void A_replacing_mapping_is_MAP_FIXED_at_the_address()
    {
        var kernel = new ScriptedLinuxCalls();

        Assert.Equal(0, new LinuxAreaBackend(kernel).Map(new MapRequest(Page, Placement.Replace, unchecked((nint)0x7000_0000_0000), PageAccess.Read | PageAccess.Write, false, 9), out nint at));
        Assert.Equal(unchecked((nint)0x7000_0000_0000), at);
        Assert.Equal(new[] { $"mmap 0x700000000000 {Page} prot=3 flags=0x{MAP_SHARED | MAP_FIXED:x} fd=9" }, kernel.Calls);
    }

    /// <summary>A backend that only maps: the shared memory members are the interface's defaults.</summary>
    private sealed class PlainBackend : IAreaBackend
    {
        public int Map(in MapRequest request, out nint address)
        {
            address = 0;
            return ENOMEM;
        }

        public int Unmap(nint address, nuint size) => 0;

        public int Protect(nint address, nuint size, PageAccess access) => 0;

        public int Lock(nint address, nuint size, bool onFault) => 0;
    }
}
