namespace AreaMalloc.Models;

/// <summary>create_pool, delete_pool, get_module, put_module.</summary>
public sealed partial class AllocatorModel
{
    /// <summary>
    /// create_pool. Invalid arguments must give NULL; valid ones must give a pool unless a lock the OS
    /// may refuse, a size below the allocator's minimum, or a size above the guaranteed one.
    /// A new pool: fresh handle, area of exactly the requested size, page aligned, disjoint from live pools.
    /// </summary>
    private Verdict CheckCreatePool(ApiCall c, Observation o)
    {
        string label = c.ToString();
        string? invalid = InvalidPoolArguments(c);
        if (o.Address == 0)
        {
            string? mayFail = invalid ?? PoolMayFail(c);
            return mayFail is not null
                ? Verdict.Allowed(Invariant($"{label} -> NULL ({mayFail})"))
                : Verdict.Violation(Invariant(
                    $"{label} returned NULL; expected a pool: the arguments are valid, the size is within [{Parameters.MinimumPoolSize}, {Parameters.MaximumGuaranteedPoolSize}] and B_NO_LOCK cannot be refused"));
        }

        if (invalid is not null)
        {
            return Verdict.Violation(Invariant($"{label} returned pool 0x{o.Address:x}; expected NULL: {invalid}"));
        }

        PoolGeometry g = o.Geometry ?? throw new ArgumentException("a non-NULL create_pool observation needs its PoolGeometry", nameof(o));
        string? wrong = WrongGeometry(o.Address, c.Size, g);
        if (wrong is not null)
        {
            return Verdict.Violation(Invariant($"{label} returned pool 0x{o.Address:x} {wrong}"));
        }

        var pool = new PoolState(pools.Count + 1, o.Address, g, Steps + 1);
        pools.Add(pool);
        liveByHandle.Add(pool.Handle, pool);
        return Verdict.Allowed(Invariant($"{label} -> {pool} 0x{pool.Handle:x} area [0x{g.Base:x}, +{g.Size})")) with { NewPool = pool };
    }

    /// <summary>Why create_pool must return NULL, or null when the arguments are valid.</summary>
    private static string? InvalidPoolArguments(ApiCall c)
    {
        if (c.Size == 0 || c.Size % BeConstants.PageSize != 0)
        {
            return "the size must be a positive multiple of 4096";
        }

        string? address = c.AddressSpec switch
        {
            BeConstants.ExactAddress => "B_EXACT_ADDRESS at the implicit address 0 is impossible",
            BeConstants.CloneAddress => "B_CLONE_ADDRESS has no area to clone",
            > BeConstants.AnyKernelBlockAddress => Invariant($"unknown address spec {c.AddressSpec}"),
            _ => null,
        };
        if (address is not null)
        {
            return address;
        }

        if (c.LockSpec > BeConstants.LowMemory)
        {
            return Invariant($"unknown lock spec {c.LockSpec}");
        }

        if ((c.Protection & ~BeConstants.KnownProtectionBits) != 0)
        {
            return Invariant($"unknown protection bits 0x{c.Protection & ~BeConstants.KnownProtectionBits:x}");
        }

        return (c.Protection & (BeConstants.WriteArea | BeConstants.KernelWriteArea)) == 0
            ? "a pool needs a writable mapping (B_WRITE_AREA or B_KERNEL_WRITE_AREA)"
            : null;
    }

    /// <summary>Why a valid create_pool may still return NULL, or null when it must succeed.</summary>
    /// <remarks>
    /// Every lock spec but B_NO_LOCK may be refused: B_LAZY_LOCK locks pages as they are touched, but Linux
    /// (mlock2 with MLOCK_ONFAULT) checks RLIMIT_MEMLOCK against the whole area when the lock is asked for.
    /// </remarks>
    private string? PoolMayFail(ApiCall c) =>
        c.LockSpec != BeConstants.NoLock ? "the OS may refuse to lock"
        : c.Size < Parameters.MinimumPoolSize ? "below the allocator's minimum pool size"
        : c.Size > Parameters.MaximumGuaranteedPoolSize ? "above the guaranteed pool size"
        : null;

    /// <summary>What is wrong with a new pool's id and reported geometry, or null.</summary>
    private string? WrongGeometry(ulong handle, ulong size, PoolGeometry g)
    {
        if (LivePool(handle) is PoolState same)
        {
            return Invariant($"which is already the id of live {same}");
        }

        if (g.Size != size || g.Base % BeConstants.PageSize != 0 || g.Base == 0 || g.Size > ulong.MaxValue - g.Base)
        {
            return Invariant($"with area [0x{g.Base:x}, +{g.Size}); expected a page-aligned non-NULL area of exactly {size} bytes");
        }

        if (g.MaxSingleRequest > g.Capacity || g.Capacity > g.Size)
        {
            return Invariant($"reporting MaxSingleRequest {g.MaxSingleRequest} and capacity {g.Capacity}; expected MaxSingleRequest <= capacity <= size {g.Size}");
        }

        PoolState? overlap = liveByHandle.Values.FirstOrDefault(p => p.Geometry.Base < g.Base + g.Size && g.Base < p.Geometry.Base + p.Geometry.Size);
        return overlap is null ? null
            : Invariant($"whose area [0x{g.Base:x}, +{g.Size}) overlaps the area of live {overlap} [0x{overlap.Geometry.Base:x}, +{overlap.Geometry.Size})");
    }

    /// <summary>delete_pool: B_OK and the pool with its blocks gone when live, else B_ERROR and nothing.</summary>
    private Verdict CheckDeletePool(ApiCall c, Observation o)
    {
        string label = Label(c);
        PoolState? pool = LivePool(c.Pool);
        int expected = pool is null ? BeConstants.StatusError : BeConstants.StatusOk;
        if (o.Status != expected)
        {
            return Verdict.Violation(Invariant($"{label} returned {o.Status}; expected {expected} ({(pool is null ? "not a live pool" : "a live pool")})"));
        }

        if (pool is not null)
        {
            DeletePoolState(pool);
        }

        return Verdict.Allowed(Invariant($"{label} -> {o.Status}"));
    }

    /// <summary>get_module: only the module's own name is found; each success is one more user.</summary>
    private Verdict CheckGetModule(ApiCall c, Observation o)
    {
        bool known = string.Equals(c.ModuleName, BeConstants.ModuleName, StringComparison.Ordinal);
        int expected = known ? BeConstants.StatusOk : BeConstants.StatusEntryNotFound;
        if (o.Status != expected)
        {
            return Verdict.Violation(Invariant($"{c} returned {o.Status}; expected {expected}"));
        }

        if (known)
        {
            ModuleUsers++;
        }

        return Verdict.Allowed(Invariant($"{c} -> {o.Status}, users {ModuleUsers}"));
    }

    /// <summary>put_module: one user fewer; at zero every remaining pool is deleted; B_BAD_VALUE when not held.</summary>
    private Verdict CheckPutModule(Observation o)
    {
        int expected = ModuleUsers > 0 ? BeConstants.StatusOk : BeConstants.StatusBadValue;
        if (o.Status != expected)
        {
            return Verdict.Violation(Invariant($"put_module() with {ModuleUsers} users returned {o.Status}; expected {expected}"));
        }

        if (ModuleUsers == 0)
        {
            return Verdict.Allowed(Invariant($"put_module() -> {o.Status} (not held)"));
        }

        ModuleUsers--;
        int deleted = 0;
        if (ModuleUsers == 0)
        {
            foreach (PoolState pool in liveByHandle.Values.ToList())
            {
                DeletePoolState(pool);
                deleted++;
            }
        }

        return Verdict.Allowed(Invariant($"put_module() -> {o.Status}, users {ModuleUsers}, pools deleted {deleted}"));
    }
}
