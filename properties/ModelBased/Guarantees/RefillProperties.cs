using AreaMalloc.Areas;
using AreaMalloc.BeModule;
using AreaMalloc.Pool;
using AreaMalloc.TestKit.Specs;
using FsCheck;
using FsCheck.Fluent;
using static AreaMalloc.Be.BeConstants;
using AreaMalloc.Properties.Runner;

namespace AreaMalloc.Properties.ModelBased.Guarantees;

/// <summary>
/// Pristine after release, without Trim (the capacity guarantee's second part): a pool filled with blocks of one size
/// until malloc returns NULL, then freed block by block in any order, serves exactly what the fresh pool served: the
/// same count of blocks of that size, then any single request up to MaxSingleRequest. For plain and caching
/// (<see cref="PoolCaching.ThreadMagazines"/>) pools alike, through <see cref="PoolAllocator"/> and through the Be
/// module surface (create_pool, malloc_from_pool, free_from_pool), which has no Trim.
/// </summary>
[Expensive(8)]
public sealed class RefillProperties
{
    /// <summary>A pool size, a request size (small sizes and class boundaries often, large blocks sometimes), caching, surface and a free order.</summary>
    public sealed record Case(int Pages, int Size, PoolCaching Caching, bool ThroughModule, int FreeSeed)
    {
        public override string ToString() =>
            $"pool {Pages} pages, {Size}-byte blocks, {Caching}, through {(ThroughModule ? "the Be module" : "PoolAllocator")}, free order seed {FreeSeed}";
    }

    private static Arbitrary<Case> Cases { get; } = Arb.From(
        from pages in Gen.Elements(16, 32, 64, 256)
        from size in Gen.Frequency((4, Gen.Choose(0, 1024)), (2, Gen.Elements(16, 64, 256, 512, 1024)), (1, Gen.Choose(1025, 8192)))
        from caching in Gen.Elements(PoolCaching.None, PoolCaching.ThreadMagazines)
        from module in Gen.Elements(false, true)
        from seed in Gen.Choose(0, int.MaxValue - 1)
        select new Case(pages, size, caching, module, seed));

    [BudgetedProperty(CiCases = 40)]
    [SpecRow("cap-pristine-after-free")]
    public Property A_pool_freed_block_by_block_refills_to_the_count_of_a_fresh_pool_and_then_holds_MaxSingleRequest() => Prop.ForAll(Cases, k =>
    {
        using var pool = Surface.Create(k);
        var blocks = new List<nint>();
        long fresh = pool.Fill(k.Size, blocks);
        Assert.True(fresh > 0, $"a fresh pool refused {k.Size} bytes");
        pool.FreeAll(blocks, new Random(k.FreeSeed));
        long refill = pool.Fill(k.Size, blocks);
        Assert.True(refill == fresh, $"{k}: the fresh pool held {fresh} blocks, after every block was freed it holds {refill} ({refill - fresh:+#;-#;0})");
        pool.FreeAll(blocks, new Random(k.FreeSeed + 1));
        nint largest = pool.Malloc(pool.MaxSingleRequest);
        Assert.True(largest != 0, $"{k}: after two fills and frees the pool refused MaxSingleRequest ({pool.MaxSingleRequest} bytes)");
        pool.Free(largest);
        Assert.True(pool.Allocator.CheckIntegrity().IsValid, pool.Allocator.CheckIntegrity().ToString());
    });

    /// <summary>One pool reached through the surface a case names.</summary>
    private sealed unsafe class Surface : IDisposable
    {
        private readonly ModuleLoader? _loader;
        private readonly AreaMallocModule? _module;
        private readonly void* _id;

        private Surface(PoolAllocator allocator, ModuleLoader? loader, AreaMallocModule? module, void* id)
        {
            Allocator = allocator;
            _loader = loader;
            _module = module;
            _id = id;
        }

        public PoolAllocator Allocator { get; }

        public ulong MaxSingleRequest => Allocator.MaxSingleRequest;

        public static Surface Create(Case k)
        {
            var areas = new AreaRegistry(new LinuxAreaBackend());
            var settings = new PoolSettings { Caching = k.Caching };
            nuint bytes = (nuint)k.Pages * B_PAGE_SIZE;
            if (!k.ThroughModule)
            {
                PoolAllocator pool = PoolAllocator.Create(areas, B_ANY_ADDRESS, bytes, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA, out int status, settings)
                    ?? throw new InvalidOperationException($"create_pool({bytes}) failed: {status}");
                return new Surface(pool, null, null, null);
            }
            var loader = new ModuleLoader(areas, settings);
            Assert.Equal(B_OK, loader.GetModule(B_AREA_MALLOC_MODULE_NAME, out AreaMallocModule? module));
            void* id = module!.CreatePool(B_ANY_ADDRESS, bytes, B_NO_LOCK, B_READ_AREA | B_WRITE_AREA);
            Assert.True(id != null, $"create_pool({bytes}) through the module failed");
            return new Surface(module.FindPool(id)!, loader, module, id);
        }

        public nint Malloc(ulong size) => _module is null ? Allocator.Malloc((nuint)size) : (nint)_module.Malloc(_id, (nuint)size);

        public void Free(nint block)
        {
            if (_module is null)
                Assert.Equal(BlockCheck.Live, Allocator.Free(block));
            else
                _module.Free(_id, (void*)block);
        }

        /// <summary>Mallocs <paramref name="size"/> bytes until NULL; how many it got (kept in <paramref name="blocks"/>).</summary>
        public long Fill(int size, List<nint> blocks)
        {
            for (nint b; (b = Malloc((ulong)size)) != 0;)
                blocks.Add(b);
            return blocks.Count;
        }

        /// <summary>Frees every block in an order drawn from <paramref name="order"/> (nothing else: statistics and the walker would drain the magazines).</summary>
        public void FreeAll(List<nint> blocks, Random order)
        {
            nint[] shuffled = [.. blocks];
            order.Shuffle(shuffled);
            foreach (nint b in shuffled)
                Free(b);
            blocks.Clear();
        }

        public void Dispose()
        {
            if (_module is null)
                Allocator.Delete();
            else
            {
                _module.DeletePool(_id);
                _loader!.PutModule(B_AREA_MALLOC_MODULE_NAME);
            }
        }
    }
}
