using System.Globalization;
using System.Text;
using AreaMalloc.Areas;
using AreaMalloc.BeModule;
using AreaMalloc.Idiomatic;
using AreaMalloc.Pool;
using AreaMalloc.Slabs;

namespace AreaMalloc.Bench;

/// <summary>
/// The capacity table (<c>--capacity</c>): pools of 64 KiB, 1 MiB and 16 MiB, each filled with blocks of one size until
/// malloc returns NULL, everything freed, filled again; plain and caching (ThreadMagazines) pools, through
/// <see cref="PoolAllocator.Malloc"/> and, for the caching refill, through the Be module surface (create_pool,
/// malloc_from_pool). "% of heap" is count x size / heap bytes; "max single" says whether a request of
/// MaxSingleRequest succeeds after the refill was freed. Counts, not times: the figures are exact and repeatable.
/// </summary>
internal static class Capacity
{
    private static readonly int[] s_poolSizes = [64 << 10, 1 << 20, 16 << 20];

    /// <summary>Every size class, plus 100 B (a size between classes) and two sizes served by the large-block heap.</summary>
    private static IEnumerable<int> Sizes() =>
        Enumerable.Range(0, SizeClasses.Count).Select(SizeClasses.SizeOf).Append(100).Append(2048).Append(4096).Order();

    public static int Run(string root)
    {
        var text = new StringBuilder();
        foreach (int poolSize in s_poolSizes)
        {
            ulong heap;
            using (AreaPool probe = AreaPool.Create((nuint)poolSize))
                heap = probe.GetStatistics().HeapSize;
            text.AppendLine(Invariant($"### {poolSize >> 10} KiB pool (heap {heap:N0} bytes)"));
            text.AppendLine();
            text.AppendLine("| size | blocks | % of heap | refill | caching: fill | refill | Be module refill | max single after free-all (plain / caching) |");
            text.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (int size in Sizes())
            {
                (long fill, long refill, bool plainMax) = FillTwice(poolSize, size, PoolCaching.None);
                (long cFill, long cRefill, bool cachingMax) = FillTwice(poolSize, size, PoolCaching.ThreadMagazines);
                long moduleRefill = ModuleRefill(poolSize, size);
                text.AppendLine(Invariant(
                    $"| {size} | {fill:N0} | {100.0 * fill * size / heap:F1}% | {Mark(refill, fill)} | {Mark(cFill, fill)} | {Mark(cRefill, fill)} | {Mark(moduleRefill, fill)} | {(plainMax ? "yes" : "NO")} / {(cachingMax ? "yes" : "NO")} |"));
            }
            text.AppendLine();
        }
        Console.Write(text);
        string dir = Path.Combine(root, "artifacts", "bench");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "capacity.md"), text.ToString());
        Console.WriteLine($"written to {Path.Combine(dir, "capacity.md")}");
        return 0;
    }

    /// <summary>A count, marked when it differs from the plain pool's first fill.</summary>
    private static string Mark(long count, long fill) =>
        count == fill ? count.ToString("N0", CultureInfo.InvariantCulture) : Invariant($"**{count:N0}** ({count - fill:+#;-#})");

    private static (long Fill, long Refill, bool MaxSingle) FillTwice(int poolSize, int size, PoolCaching caching)
    {
        var options = new PoolOptions { Settings = new PoolSettings { Caching = caching } };
        using AreaPool pool = AreaPool.Create((nuint)poolSize, options);
        PoolAllocator a = pool.Allocator;
        var blocks = new List<nint>();
        long fill = Fill(a.Malloc, size, blocks);
        FreeAll(blocks, b => a.Free(b));
        long refill = Fill(a.Malloc, size, blocks);
        FreeAll(blocks, b => a.Free(b));
        nint big = a.Malloc((nuint)a.MaxSingleRequest);
        if (big != 0)
            a.Free(big);
        return (fill, refill, big != 0);
    }

    private static unsafe long ModuleRefill(int poolSize, int size)
    {
        var loader = new ModuleLoader(AreaRegistry.Shared, new PoolSettings { Caching = PoolCaching.ThreadMagazines });
        if (loader.GetModule(Be.BeConstants.B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? found) != Be.BeConstants.B_OK || found is null)
            throw new InvalidOperationException("get_module failed");
        AreaMallocModule module = found;
        void* id = module.CreatePool(Be.BeConstants.B_ANY_ADDRESS, (nuint)poolSize, Be.BeConstants.B_NO_LOCK,
            Be.BeConstants.B_READ_AREA | Be.BeConstants.B_WRITE_AREA);
        if (id is null)
            throw new InvalidOperationException($"create_pool({poolSize}) failed");
        try
        {
            var blocks = new List<nint>();
            Fill(n => (nint)module.Malloc(id, n), size, blocks);
            FreeAll(blocks, b => module.Free(id, (void*)b));
            long refill = Fill(n => (nint)module.Malloc(id, n), size, blocks);
            FreeAll(blocks, b => module.Free(id, (void*)b));
            return refill;
        }
        finally
        {
            module.DeletePool(id);
            loader.PutModule(Be.BeConstants.B_AREA_MALLOC_MODULE_NAME);
        }
    }

    private static long Fill(Func<nuint, nint> malloc, int size, List<nint> blocks)
    {
        for (nint b; (b = malloc((nuint)size)) != 0;)
            blocks.Add(b);
        return blocks.Count;
    }

    private static void FreeAll(List<nint> blocks, Action<nint> free)
    {
        foreach (nint b in blocks)
            free(b);
        blocks.Clear();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
