using System.Globalization;
using AreaMalloc.Areas;
using AreaMalloc.Idiomatic;
using AreaMalloc.Pool;
using AreaMalloc.TestKit.Backends;
using AreaMalloc.Properties.Support;
using AreaMalloc.Properties.Runner;
using AreaMalloc.TestKit.Settings;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.TestKit.Specs;

namespace AreaMalloc.Properties.Areas;

/// <summary>
/// A driver and its user program, as two real processes: this test process makes a shared pool and exports its area's
/// handle; a child process (<see cref="CloneChildProcess"/>) clones the area from the handle's text, reads the blocks
/// this process wrote, writes where its protection allows, and this process sees it. The OS enforces the clone's
/// protection: a child that writes through a read-only clone is killed by SIGSEGV, and the pool is intact. Bad handles
/// get the Be codes and change nothing.
/// </summary>
[Expensive(8)]
public sealed unsafe class CrossProcessCloneFacts : IDisposable
{
    private const uint ReadWrite = B_READ_AREA | B_WRITE_AREA;
    private const int SigSegvExitCode = 128 + 11;

    private readonly AreaRegistry _areas = new(new RecordingBackend());
    private readonly AreaPool _pool;
    private readonly List<(nint Block, byte[] Pattern)> _blocks = [];

    public CrossProcessCloneFacts()
    {
        _pool = AreaPool.Create(1 << 20, new PoolOptions { Areas = _areas, Protection = ReadWrite | B_CLONEABLE_AREA });
        foreach ((nuint size, int seed) in new (nuint, int)[] { (24, 1), (500, 2), (1024, 3), (9000, 4), (70_000, 5) })
        {
            nint block = _pool.Allocate(size);
            byte[] pattern = Pattern((int)size, seed);
            pattern.CopyTo(_pool.AsSpan(block));
            _blocks.Add((block, pattern));
        }
    }

    public void Dispose()
    {
        _pool.Dispose();
        foreach (AreaInfo area in _areas.Snapshot())
        {
            _areas.DeleteArea(area.Id);
        }
    }

    private static byte[] Pattern(int length, int seed) => Enumerable.Range(0, length).Select(i => unchecked((byte)((seed * 37) ^ (i * 11)))).ToArray();

    private static string Hex(nint address) => ((ulong)address).ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Every block still holds its pattern (or what the test wrote since), the walker passes, nothing was freed or refused.</summary>
    private void AssertPoolIntact()
    {
        foreach ((nint block, byte[] pattern) in _blocks)
        {
            Assert.True(_pool.AsSpan(block)[..pattern.Length].SequenceEqual(pattern), $"the block at 0x{block:x} lost its bytes");
        }

        IntegrityReport report = _pool.CheckIntegrity();
        Assert.True(report.IsValid, report.ToString());
        PoolStatistics stats = _pool.GetStatistics();
        Assert.Equal((_blocks.Count, 0L, 0L), (stats.LiveBlocks, stats.RefusedFrees, stats.FailedAllocations));
    }

    [Fact]
    public void A_child_process_clones_the_pools_area_reads_the_parents_blocks_and_its_writes_are_seen_by_the_parent()
    {
        AreaHandle handle = _pool.Export();
        nint parentBase = _pool.Allocator.Base;
        using var child = CloneChildProcess.Start();

        string[] clone = child.Ask($"clone {B_ANY_ADDRESS} {ReadWrite} {handle}", "clone");
        int id = int.Parse(clone[0], CultureInfo.InvariantCulture);
        Assert.True(id > 0, $"clone_area in the child failed with {id}; stderr: {child.Stderr()}");
        nint childBase = (nint)ulong.Parse(clone[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(new[] { "0", $"{1 << 20}", $"{B_NO_LOCK}", $"{ReadWrite}", $"{B_ANY_ADDRESS}", clone[1] }, child.Ask($"info {id}", "info"));

        // The parent's blocks, at the same offsets from the child's base.
        foreach ((nint block, byte[] pattern) in _blocks)
        {
            string[] read = child.Ask($"read {Hex(childBase + (block - parentBase))} {pattern.Length}", "read");
            Assert.Equal(Convert.ToHexString(pattern), read[0]);
        }

        // The child writes into a block; the parent sees it. The parent writes; the child sees it.
        (nint written, byte[] bytes) = _blocks[2];
        child.Ask($"write {Hex(childBase + (written - parentBase))} c3 100", "wrote");
        Assert.All(_pool.AsSpan(written)[..100].ToArray(), b => Assert.Equal(0xC3, b));
        Array.Fill(bytes, (byte)0xC3, 0, 100);
        _pool.AsSpan(_blocks[0].Block)[0] = 0x5E;
        _blocks[0].Pattern[0] = 0x5E;
        Assert.Equal("5E", child.Ask($"read {Hex(childBase + (_blocks[0].Block - parentBase))} 1", "read")[0]);

        Assert.Equal(new[] { "0" }, child.Ask($"delete {id}", "delete"));
        Assert.Equal(0, child.Exit());
        AssertPoolIntact();
    }

    [Fact]
    public void With_B_CLONE_ADDRESS_the_childs_clone_is_at_the_parents_address_so_the_parents_pointers_work_there()
    {
        AreaHandle handle = _pool.Export();
        using var child = CloneChildProcess.Start();

        string[] clone = child.Ask($"clone {B_CLONE_ADDRESS} {B_READ_AREA} {handle}", "clone");

        Assert.True(int.Parse(clone[0], CultureInfo.InvariantCulture) > 0, $"status {clone[0]}; stderr: {child.Stderr()}");
        Assert.Equal(Hex(_pool.Allocator.Base), clone[1]);
        foreach ((nint block, byte[] pattern) in _blocks)
        {
            Assert.Equal(Convert.ToHexString(pattern), child.Ask($"read {Hex(block)} {pattern.Length}", "read")[0]);
        }

        Assert.Equal(0, child.Exit());
    }

    [Fact]
    public void A_child_that_writes_through_a_read_only_clone_is_killed_by_SIGSEGV_and_the_pool_is_intact()
    {
        AreaHandle handle = _pool.Export();
        (nint block, byte[] pattern) = _blocks[1];
        using var child = CloneChildProcess.Start();
        string[] clone = child.Ask($"clone {B_ANY_ADDRESS} {B_READ_AREA} {handle}", "clone");
        Assert.True(int.Parse(clone[0], CultureInfo.InvariantCulture) > 0, $"status {clone[0]}; stderr: {child.Stderr()}");
        nint target = (nint)ulong.Parse(clone[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) + (block - _pool.Allocator.Base);
        Assert.Equal(Convert.ToHexString(pattern), child.Ask($"read {Hex(target)} {pattern.Length}", "read")[0]);

        child.Ask($"fault {Hex(target)} ff", "faulting");
        int exit = child.WaitForExit("fault");

        Assert.True(exit == SigSegvExitCode, $"the child's write through its read-only clone should have been killed by SIGSEGV (exit code {SigSegvExitCode}), it exited with {exit}; stderr: {child.Stderr()}");
        AssertPoolIntact();
    }

    [SpecRow("clone-from-handle")]
    [Fact]
    public void Bad_clones_from_another_process_get_the_Be_codes_and_lose_nothing()
    {
        nint address = 0;
        int privateArea = _areas.CreateArea("private", ref address, B_ANY_ADDRESS, B_PAGE_SIZE, B_NO_LOCK, ReadWrite);
        int readOnlyArea = _areas.CreateArea("read-only", ref address, B_ANY_ADDRESS, B_PAGE_SIZE, B_NO_LOCK, B_READ_AREA | B_CLONEABLE_AREA);
        int deletedArea = _areas.CreateArea("deleted", ref address, B_ANY_ADDRESS, B_PAGE_SIZE, B_NO_LOCK, ReadWrite | B_CLONEABLE_AREA);
        int outlivedArea = _areas.CreateArea("outlived", ref address, B_ANY_ADDRESS, B_PAGE_SIZE, B_NO_LOCK, ReadWrite | B_CLONEABLE_AREA);
        new Span<byte>((void*)address, B_PAGE_SIZE).Fill(0x6D);
        Assert.Equal(B_OK, _areas.ExportArea(privateArea, out AreaHandle privateHandle));
        Assert.Equal(B_OK, _areas.ExportArea(readOnlyArea, out AreaHandle readOnlyHandle));
        Assert.Equal(B_OK, _areas.ExportArea(deletedArea, out AreaHandle deletedHandle));
        Assert.Equal(B_OK, _areas.ExportArea(outlivedArea, out AreaHandle outlivedHandle));
        Assert.Equal(B_OK, _areas.DeleteArea(deletedArea));
        AreaHandle pool = _pool.Export();
        int areas = _areas.Count;
        using var child = CloneChildProcess.Start();

        string Clone(uint protection, object handle) => child.Ask($"clone {B_ANY_ADDRESS} {protection} {handle}", "clone")[0];

        Assert.Equal($"{B_BAD_VALUE}", Clone(B_READ_AREA, "not-a-handle"));
        Assert.Equal($"{B_BAD_VALUE}", Clone(B_READ_AREA, pool with { Memory = 999_999 })); // unknown area
        Assert.Equal($"{B_BAD_VALUE}", Clone(B_READ_AREA, pool with { ProcessId = int.MaxValue }));
        Assert.Equal($"{B_NOT_ALLOWED}", Clone(B_READ_AREA, privateHandle)); // not cloneable
        Assert.Equal($"{B_NOT_ALLOWED}", Clone(ReadWrite, readOnlyHandle)); // more than the area gives
        Assert.Equal($"{B_BAD_VALUE}", Clone(B_READ_AREA, deletedHandle)); // deleted source
        Assert.Equal($"{B_BAD_VALUE}", Clone(B_READ_AREA | 0x8000, pool)); // unknown protection bit
        Assert.Equal($"{B_BAD_VALUE}", Clone(ReadWrite, pool with { Tag = pool.Tag ^ 1 })); // a handle not exported by the owner

        // The read-only area may be cloned read-only; an area the owner deletes lives on in the child's clone.
        Assert.True(int.Parse(Clone(B_READ_AREA, readOnlyHandle), CultureInfo.InvariantCulture) > 0);
        string[] outlived = child.Ask($"clone {B_ANY_ADDRESS} {B_READ_AREA} {outlivedHandle}", "clone");
        Assert.Equal(B_OK, _areas.DeleteArea(outlivedArea));
        Assert.Equal("6D6D", child.Ask($"read {outlived[1]} 2", "read")[0]);

        Assert.Equal(0, child.Exit());
        Assert.Equal(areas - 1, _areas.Count);
        AssertPoolIntact();
    }
}
