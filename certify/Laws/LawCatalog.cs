namespace AreaMalloc.Certify.Laws;

/// <summary>One concern of the specification, a heading of the law table.</summary>
/// <param name="Id">A stable identifier (report.json).</param>
/// <param name="Title">The heading a reader sees.</param>
internal sealed record Concern(string Id, string Title);

/// <summary>One law the campaign certifies.</summary>
/// <param name="Id">A stable identifier, <c>concern.name</c> (report.json, the check map).</param>
/// <param name="Concern">The concern it belongs to.</param>
/// <param name="Statement">What holds, in one sentence.</param>
/// <param name="Source">Where it comes from: the Be Book, the R5 header, or the project's own decisions (docs/SEMANTICS.md).</param>
internal sealed record Law(string Id, Concern Concern, string Statement, string Source);

/// <summary>
/// The laws the certificate speaks of, grouped by the specification's concerns, in the order the certificate lists
/// them. Checks are attached to laws by <see cref="CheckMap"/>; a law no check serves is reported "not checked".
/// </summary>
internal static class LawCatalog
{
    private const string BeBook = "Be Book";
    private const string Header = "R5 header";
    private const string Project = "project (docs/SEMANTICS.md)";

    public static readonly Concern Areas = new("areas", "Areas (create_area over Linux)");
    public static readonly Concern Pools = new("pools", "create_pool and delete_pool");
    public static readonly Concern Semantics = new("semantics", "malloc, calloc, realloc, free");
    public static readonly Concern Misuse = new("misuse", "Misuse");
    public static readonly Concern Module = new("module", "Module life cycle");
    public static readonly Concern Concurrency = new("concurrency", "Concurrency");
    public static readonly Concern DeleteRace = new("delete-race", "The delete_pool race");
    public static readonly Concern Faults = new("faults", "Fault tolerance (OS failures)");
    public static readonly Concern Hardening = new("hardening", "Hardening");
    public static readonly Concern Capacity = new("capacity", "Capacity");
    public static readonly Concern Sharing = new("sharing", "Sharing a pool (clone_area)");

    /// <summary>The concerns, in the certificate's order.</summary>
    public static IReadOnlyList<Concern> Concerns { get; } =
        [Areas, Pools, Semantics, Misuse, Module, Concurrency, DeleteRace, Faults, Hardening, Capacity, Sharing];

    /// <summary>Every law, grouped by concern in the order of <see cref="Concerns"/>.</summary>
    public static IReadOnlyList<Law> All { get; } =
    [
        new("areas.create-area", Areas, "create_area maps exactly what its size, address spec, lock spec and protection ask for, and refuses a bad argument with B_BAD_VALUE, mapping nothing", BeBook + " (create_area), " + Project),
        new("areas.registry", Areas, "Area ids are positive and never reused, names keep at most 31 characters, and every area is unmapped exactly once", Project),
        new("areas.backend", Areas, "The Linux backend gives each mapping exactly the requested access and residency, and reports the kernel's errno, never a stale one", Project),

        new("pools.create", Pools, "create_pool takes create_area's parameters without an address: specs that need none make a working pool; specs that need one, impossible sizes and protections without a write bit return NULL and map nothing", BeBook + ", " + Project),
        new("pools.delete", Pools, "delete_pool unmaps the pool's area once and returns B_OK, then B_ERROR for the same id; a delete the OS refuses is B_ERROR and the pool keeps working", BeBook + ", " + Header),
        new("pools.ids", Pools, "Pool ids are checked handles: a garbage, stale or reused-slot id is refused without being dereferenced", Project),
        new("pools.layout", Pools, "A pool's layout exists for every page multiple from one page to 64 GiB - 4096, is aligned, and its maps cost under 1% of the area", Project),

        new("semantics.model", Semantics, "Every generated sequence of pool, allocation, misuse and module commands agrees with the reference model: the same NULLs and status codes, kept contents, no overlapping live blocks, equal statistics, no leaked area", BeBook + " (POSIX-like functions), " + Header),
        new("semantics.malloc", Semantics, "malloc returns a 16-byte aligned block inside the heap, at least as large as asked, from the smallest size class that holds it; malloc(0) returns a distinct pointer that free accepts", BeBook + ", " + Project),
        new("semantics.calloc", Semantics, "calloc returns zeroed memory, also when it reuses dirty blocks; a product that overflows returns NULL and changes nothing", BeBook + " (POSIX calloc)"),
        new("semantics.realloc", Semantics, "realloc(NULL) is malloc and realloc to 0 frees; a moved block keeps the common prefix and the old block is released; a refused realloc returns NULL and keeps the block; a block stays in place when it can", Header + " (three outcomes)"),
        new("semantics.free", Semantics, "free releases the block: free neighbours coalesce, an emptied slab becomes its class's spare or goes back to the heap, and statistics count live blocks and bytes", BeBook + ", " + Project),
        new("semantics.statistics", Semantics, "Every figure a pool reports is a law: each state figure equals the integrity walker's recount of the blocks, AreaSize is get_area_info's size, the peak and the damage figures keep their bounds, and no event counter ever decreases", Project),
        new("semantics.placement", Semantics, "Large blocks are placed as TLSF says: from a list whose every block fits, never from a smaller block; splits are exact, and no byte above the dirty high-water mark is ever written", Project),
        new("semantics.caching", Semantics, "Caching is transparent: a block waiting in a per-thread magazine is free in every observable way, and every pointer the fast path cannot take gets the answer of an uncached pool", Project),
        new("semantics.surface", Semantics, "The idiomatic AreaPool keeps the same rules and reports every refusal as an exception that names it", Project),

        new("misuse.refused", Misuse, "free or realloc of anything that is not a live block of the pool (freed, interior, foreign, another pool's, cached) is refused, counted, and changes nothing; free(NULL) does nothing", Project),

        new("module.get-put", Module, "get_module finds the module by its Be name and always returns the same module; put_module without get is B_BAD_VALUE; an unknown name is B_ENTRY_NOT_FOUND", Header),
        new("module.last-put", Module, "When the last user puts the module away, every remaining pool is deleted, exactly once, and no area stays mapped", BeBook),

        new("concurrency.malloc-free", Concurrency, "Concurrent malloc, calloc, realloc and free on one pool, blocks freed by another task included, never overlap or damage a block", BeBook + " (thread-safe in relation to one another)"),
        new("concurrency.create-delete", Concurrency, "create_pool and delete_pool of different pools are safe against each other: the registry stays consistent and nothing leaks", BeBook),
        new("concurrency.module", Concurrency, "get_module and put_module from several tasks delete the remaining pools exactly once, at the last put", BeBook),
        new("concurrency.lock", Concurrency, "The pool's lock admits one holder at a time and every waiter gets it in turn", BeBook + " (may block on semaphores)"),
        new("concurrency.magazines", Concurrency, "Magazines under concurrency: a block freed by two tasks at once is freed once, a magazine reached from two tasks hands no block out twice, and whole-pool operations wait for fast paths in flight", Project),

        new("delete-race.be-book", DeleteRace, "The Be Book's delete_pool is not safe against calls on the same pool: the race is found and its trace replays it within the budget (shown to exist, not certified absent)", BeBook),
        new("delete-race.safe-deletion", DeleteRace, "With safe deletion, delete_pool (or Dispose) racing calls on the same pool is harmless: later calls fail cleanly and never touch the deleted area", Project + " (beyond the Be Book)"),

        new("faults.os-failures", Faults, "Every OS failure (mmap, munmap, mprotect, mlock refused, with each errno) surfaces as its documented status and leaks no area, pool or mapping", Project),

        new("hardening.check-words", Hardening, "Every large-block header is sealed with the pool's key and verified before it is followed: a damaged header is refused, changes nothing, and is recorded", Project),
        new("hardening.links", Hardening, "Free-list links are stored encoded with the pool's keys and validated before they are followed", Project),
        new("hardening.overflow", Hardening, "A write past a block's end over the metadata that follows is refused: the next operation that meets it fails cleanly and nothing handed out overlaps a live block", Project),
        new("hardening.poison", Hardening, "With PoisonFreedMemory, freed bytes hold the poison and a write into them is reported before they are handed out again; calloc still returns zeroes", Project),
        new("hardening.walker", Hardening, "The integrity walker names every broken invariant of a pool, one at a time", Project),

        new("capacity.guarantee", Capacity, "An empty pool satisfies any single request up to MaxSingleRequest, a pool filled with one small size holds at least the guaranteed count, every size class filled alone uses at least 96% of the heap of a pool of 1 MiB or more (90% of a 64 KiB pool's), and a slab-served request costs at most 141% of its class size", Project),
        new("capacity.pristine", Capacity, "After every block is freed, without Trim and through either surface, a plain or caching pool serves what a fresh pool serves (the same count of blocks of one size, any single request up to MaxSingleRequest); trimmed, its statistics are a fresh pool's; spare slabs never make a request fail", Project),
        new("capacity.bounds", Capacity, "A request the pool cannot hold returns NULL without wrapping the address space, and the pool keeps working", BeBook + " (NULL when there is not enough memory)"),

        new("sharing.clone-area", Sharing, "clone_area maps a cloneable area again with Haiku's semantics: the clone sees the same bytes, within the protection the source allows, at the address its spec asks for; a missing, private or deleted source or a forbidden protection gets its Be status and maps nothing", BeBook + " (create_pool: sharing follows the area's protections), Haiku's clone_area, " + Project),
        new("sharing.cross-process", Sharing, "Another process clones a pool's area from an exported handle and shares its blocks; the OS enforces the clone's protection (a write through a read-only clone kills the writer) and the pool stays intact", Project),
        new("sharing.view", Sharing, "A pool read through a clone at another address shows every live block at the same offset with the same bytes, and the integrity walker passes through it", Project),
    ];

    private static readonly Dictionary<string, Law> s_byId = All.ToDictionary(l => l.Id, StringComparer.Ordinal);

    /// <summary>The law named <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">No law has that id (a typo in <see cref="CheckMap"/>).</exception>
    public static Law Get(string id) =>
        s_byId.TryGetValue(id, out Law? law) ? law : throw new KeyNotFoundException($"no law '{id}' in the law catalog");
}
