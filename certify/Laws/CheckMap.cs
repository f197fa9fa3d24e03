using static AreaMalloc.Certify.Laws.PoolConfiguration;

namespace AreaMalloc.Certify.Laws;

/// <summary>What a check is to the certificate.</summary>
internal enum CheckRole
{
    /// <summary>It checks laws of the allocator (<see cref="CheckMapping.Laws"/>).</summary>
    Law,

    /// <summary>It checks the verification harness itself (budget, replay, rewriting, the model, fail-fast).</summary>
    Harness,

    /// <summary>A gate of the campaign (build, coverage, mutation, bench), not a test.</summary>
    Gate,

    /// <summary>Its test class is in no entry of <see cref="CheckMap"/>.</summary>
    Unmapped,
}

/// <summary>Where a check belongs: its role, the laws it serves and the configurations it runs in.</summary>
/// <param name="Role">Law, harness, gate or unmapped.</param>
/// <param name="Laws">The laws it serves (empty unless <see cref="CheckRole.Law"/>).</param>
/// <param name="Configurations">The pool configurations it runs in (empty unless <see cref="CheckRole.Law"/>).</param>
/// <param name="Key">The entry of the map that matched (<c>Class</c> or <c>Class.MethodPrefix</c>), or the class for an unmapped check.</param>
/// <param name="Harness">For a harness check, what part of the harness it checks.</param>
internal sealed record CheckMapping(CheckRole Role, IReadOnlyList<Law> Laws, IReadOnlyList<PoolConfiguration> Configurations, string Key, string? Harness = null);

/// <summary>
/// THE table from checks to laws: every test class of properties/ and concurrency-tests/, by its short name (no
/// namespace, so that moving a class to another folder or namespace keeps it mapped), and where one class serves several
/// laws, by class and method-name prefix (the longest matching prefix wins, then the class's own entry). A test whose
/// class has no entry is reported as unmapped. Names are never parsed for meaning: a method prefix only selects an entry.
/// </summary>
internal static class CheckMap
{
    /// <summary>One row of the table.</summary>
    /// <param name="Class">The test class's short name.</param>
    /// <param name="MethodPrefix">A prefix of the test method's name, or null for the whole class.</param>
    /// <param name="LawIds">The laws it serves (none for a harness check).</param>
    /// <param name="Configurations">The configurations its checks run in.</param>
    /// <param name="Harness">For a harness check: what it checks.</param>
    internal sealed record Entry(string Class, string? MethodPrefix, string[] LawIds, PoolConfiguration[] Configurations, string? Harness)
    {
        /// <summary><c>Class</c> or <c>Class.MethodPrefix</c>.</summary>
        public string Key => MethodPrefix is null ? Class : $"{Class}.{MethodPrefix}";

        /// <summary>This entry, for checks that run in <paramref name="configurations"/>.</summary>
        public Entry In(params PoolConfiguration[] configurations) => this with { Configurations = configurations };
    }

    private static Entry L(string key, params string[] laws)
    {
        int dot = key.IndexOf('.', StringComparison.Ordinal);
        return new Entry(dot < 0 ? key : key[..dot], dot < 0 ? null : key[(dot + 1)..], laws, [Plain], null);
    }

    private static Entry H(string @class, string checks) => new(@class, null, [], [], checks);

    /// <summary>The table.</summary>
    public static IReadOnlyList<Entry> Entries { get; } =
    [
        // Areas
        L("AreaFacts", "areas.create-area"),
        L("AreaFacts.Ids_", "areas.registry"),
        L("AreaFacts.A_name_", "areas.registry"),
        L("AreaFacts.A_null_name", "areas.registry"),
        L("AreaFacts.A_registry_needs", "areas.registry"),
        L("AreaFacts.Any_address_area_is_registered", "areas.registry"),
        L("AreaFacts.Failed_unmap", "areas.registry", "faults.os-failures"),
        L("AreaFacts.Failed_map", "areas.create-area", "faults.os-failures"),
        L("AreaFacts.Refused_lock", "areas.create-area", "faults.os-failures"),
        L("AreaFacts.A_refused_over_mapping", "areas.create-area", "faults.os-failures"),
        L("LinuxBackendFacts", "areas.backend"),

        // create_pool and delete_pool
        L("CreatePoolFacts", "pools.create"),
        L("CreatePoolFacts.Delete_", "pools.delete"),
        L("CreatePoolFacts.Delete_that_the_OS_refuses", "pools.delete", "faults.os-failures"),
        L("CreatePoolFacts.Failed_map", "pools.create", "faults.os-failures"),
        L("CreatePoolFacts.Refused_lock", "pools.create", "faults.os-failures"),
        L("CreatePoolFacts.The_smallest_pool", "pools.create", "pools.layout"),
        L("PoolHandleTableFacts", "pools.ids"),
        L("LayoutAndOverflowProperties.A_pool_layout", "pools.layout"),
        L("LayoutAndOverflowProperties.Calloc_is_null", "semantics.calloc"),
        L("LayoutAndOverflowProperties.Every_block_is_16", "semantics.malloc"),
        L("LayoutAndOverflowProperties.Requests_near_the_top", "capacity.bounds"),
        L("PoolBoundaryFacts.A_Be_Book_pool_does_not_guard", "delete-race.be-book"),
        L("PoolBoundaryFacts.A_layout_exists", "pools.layout"),
        L("PoolBoundaryFacts.A_live_large_block_whose_tag", "hardening.overflow"),
        L("PoolBoundaryFacts.A_request_whose_block_would_exceed", "capacity.bounds"),
        L("PoolBoundaryFacts.A_slab_object_resized", "semantics.realloc"),
        L("PoolBoundaryFacts.A_small_request_of_a_class_without_a_slab", "capacity.pristine"),
        L("PoolBoundaryFacts.After_a_safe_delete", "delete-race.safe-deletion").In(SafeDeletion),
        L("PoolBoundaryFacts.Create_pool_needs_a_registry", "pools.create"),
        L("PoolBoundaryFacts.The_", "misuse.refused"),

        // The model-based properties: the whole command language against the reference model, in three configurations
        L("ModelBasedProperties", "semantics.model", "misuse.refused", "module.last-put", "pools.delete"),
        L("PoisonedModelProperty", "semantics.model", "misuse.refused", "module.last-put", "pools.delete", "hardening.poison").In(Poison),
        L("CachedModelProperty", "semantics.model", "misuse.refused", "module.last-put", "pools.delete", "semantics.caching").In(Caching),
        L("Regressions", "semantics.model"),
        L("CorpusReplayFacts", "semantics.model"),

        // malloc, calloc, realloc, free
        L("SmokeFacts", "semantics.malloc", "semantics.free"),
        L("MallocFacts", "semantics.malloc"),
        L("MallocFacts.An_empty_pool_satisfies", "capacity.guarantee"),
        L("MallocFacts.Exhausting_a_pool", "capacity.bounds", "capacity.pristine"),
        L("MallocFacts.Spare_slabs_never", "capacity.pristine"),
        L("SizeClassProperties", "semantics.malloc"),
        L("SlabShapeFacts", "semantics.malloc"),
        L("SlabShapeFacts.An_emptied", "semantics.free"),
        L("SlabShapeFacts.Releasing_the_spares", "capacity.pristine"),
        L("CallocFacts", "semantics.calloc"),
        L("FastPathFacts.Calloc_after", "semantics.calloc"),
        L("FastPathFacts.Consecutive_slabs", "semantics.placement"),
        L("FastPathFacts.Growing_a_block_in_place", "semantics.realloc"),
        L("FastPathFacts.Malloc_free_pairs", "capacity.pristine"),
        L("ReallocFacts", "semantics.realloc"),
        L("LargeBlockFacts", "semantics.placement"),
        L("LargeBlockFacts.Realloc_", "semantics.realloc", "semantics.placement"),
        L("LargeBlockFacts.A_block_grown_in_place", "semantics.realloc", "semantics.calloc"),
        L("LargeBlockFacts.In_a_fresh_pool", "semantics.calloc", "semantics.placement"),
        L("LargeBlockFacts.No_heap_byte", "semantics.calloc", "semantics.placement"),
        L("TlsfMappingProperties", "semantics.placement"),
        L("StatisticsFacts", "semantics.free"),
        L("StatisticsLawFacts", "semantics.statistics"),
        L("AddressSpecMatrixFacts", "areas.create-area"),
        L("StatisticsFacts.Small_request_overhead", "capacity.guarantee"),
        L("AreaPoolFacts", "semantics.surface"),
        L("AreaPoolFacts.Freeing_twice", "semantics.surface", "misuse.refused"),
        L("AreaPoolFacts.A_foreign_pointer", "semantics.surface", "misuse.refused"),
        L("AreaPoolFacts.Trim_restores", "semantics.surface", "capacity.pristine"),
        L("AreaPoolFacts.A_request_too_large", "semantics.surface", "capacity.bounds"),

        // Caching
        L("MagazineFacts", "semantics.caching").In(Caching),
        L("MagazineFacts.A_deleted_safe_deletion_pool", "delete-race.safe-deletion").In(Caching, SafeDeletion),
        L("MagazineFacts.A_second_free_of_a_cached_block", "misuse.refused").In(Caching),
        L("MagazineFacts.A_slab_header_failing", "hardening.overflow").In(Caching),
        L("MagazineFacts.A_cached_block_whose_slab_header", "hardening.overflow").In(Caching),
        L("MagazineFacts.Calloc_zeroes", "semantics.calloc").In(Caching),
        L("MagazineFacts.Trim_after", "capacity.pristine").In(Caching),
        L("MagazineFacts.Poisoned_pools_never_cache", "semantics.caching").In(Caching, Poison),
        L("CachedReallocFacts", "semantics.realloc", "semantics.caching").In(Caching),
        L("CachedReallocFacts.Realloc_of_a_cached_block", "misuse.refused").In(Caching),
        L("CachedReallocFacts.A_pool_that_met_damage", "hardening.overflow").In(Caching),
        L("CacheMarkFacts", "semantics.caching").In(Caching),
        L("CacheMarkFacts.A_block_a_refill_cached", "misuse.refused").In(Caching),
        L("StackWindowFacts", "semantics.caching").In(Caching),
        L("StackWindowFacts.Two_threads", "concurrency.magazines").In(Caching),

        // Misuse
        L("MisuseFacts", "misuse.refused"),
        L("MisuseFacts.A_damaged_block_header", "hardening.overflow"),
        L("MisuseFacts.An_overflow_into", "hardening.overflow"),

        // Module life cycle
        L("ModuleFacts", "module.get-put"),
        L("ModuleFacts.Every_get_returns_the_same_module", "module.get-put", "module.last-put"),
        L("ModuleFacts.Many_pools_created_and_deleted", "pools.delete", "module.last-put"),
        L("ModuleFacts.A_delete_pool_the_OS_refuses", "pools.delete", "faults.os-failures"),
        L("ModuleFacts.A_deleted_pool_no_longer_counts", "pools.delete"),
        L("ModuleFacts.Delete_pool_is_B_OK_once", "pools.delete"),
        L("ModuleFacts.A_deleted_pools_id", "pools.ids"),
        L("ModuleFacts.Garbage_pool_ids", "pools.ids"),
        L("ModuleFacts.Create_pool_returns_null", "pools.create"),

        // Concurrency: Coyote scenarios and real threads
        L("EveryScenario.Concurrent_malloc_free_on_one_pool", "concurrency.malloc-free"),
        L("EveryScenario.Blocks_freed_or_reallocated_by_another_task", "concurrency.malloc-free"),
        L("EveryScenario.Concurrent_malloc_free_on_a_caching_pool", "concurrency.malloc-free").In(Caching),
        L("EveryScenario.Cross_task_frees_on_a_caching_pool", "concurrency.malloc-free").In(Caching),
        L("EveryScenario.Magazines_free_a_double_free", "concurrency.magazines", "misuse.refused").In(Caching),
        L("EveryScenario.Two_tasks_routed", "concurrency.magazines").In(Caching),
        L("EveryScenario.Concurrent_create_and_delete", "concurrency.create-delete"),
        L("EveryScenario.Remaining_pools_are_deleted_exactly_once", "concurrency.module", "module.last-put"),
        L("EveryScenario.The_pool_lock_admits_one_holder", "concurrency.lock"),
        L("PoolLockFacts", "concurrency.lock"),
        L("StressFacts", "concurrency.malloc-free"),
        L("SoakTests", "concurrency.malloc-free"),
        L("CrossThreadMagazineFacts", "concurrency.magazines", "semantics.caching").In(Caching),
        L("CrossThreadMagazineFacts.A_block_cached_by_another_thread", "concurrency.magazines", "misuse.refused").In(Caching),

        // The delete_pool race
        L("EveryScenario.Unsafe_delete_pool_race", "delete-race.be-book"),
        L("EveryScenario.Safe_deletion_makes_the_delete_pool_race", "delete-race.safe-deletion").In(SafeDeletion),
        L("EveryScenario.Disposing_a_safe_area_pool", "delete-race.safe-deletion").In(SafeDeletion),
        L("DisposeRaceFacts", "delete-race.safe-deletion").In(SafeDeletion),
        L("SafeDeletionFacts", "delete-race.safe-deletion").In(SafeDeletion),
        L("SafeDeletionFacts.A_be_book_pool", "delete-race.be-book"),
        L("SafeDeletionFacts.Pools_are_made_with_the_be_book", "delete-race.be-book"),
        L("SafeDeletionFacts.The_default_module_keeps", "delete-race.be-book"),

        // Fault tolerance
        L("FaultInjectionProperties", "faults.os-failures"),
        L("AlignedAreaFaultFacts", "faults.os-failures", "areas.create-area"),
        L("PutModuleFaultFacts", "faults.os-failures", "module.last-put"),

        // Sharing a pool through clone_area
        L("CloneAreaFacts", "sharing.clone-area"),
        L("ClonePlacementFacts", "sharing.clone-area", "areas.create-area"),
        L("AreaHandleFacts", "sharing.clone-area"),
        L("SharedMemoryBackendFacts", "sharing.clone-area", "areas.backend"),
        L("CloneFaultInjectionProperty", "sharing.clone-area", "faults.os-failures"),
        L("CrossProcessCloneFacts", "sharing.cross-process"),
        L("IntegrityThroughCloneFacts", "sharing.view", "hardening.walker"),
        L("PoolViewFacts", "sharing.view"),
        L("ClonedPoolModelProperty", "sharing.view", "semantics.model"),

        // Hardening
        L("CheckWordFacts", "hardening.check-words"),
        L("EncodedLinkFacts", "hardening.links"),
        L("OverflowFacts", "hardening.overflow"),
        L("PoisonFacts", "hardening.poison").In(Poison),
        L("PoisonFacts.Calloc_over_poisoned", "hardening.poison", "semantics.calloc").In(Poison),
        L("PoisonFacts.Poison_is_never_written", "hardening.poison", "semantics.calloc").In(Poison),
        L("PoisonFacts.An_AreaPool_refuses_a_block_next_to_an_overflow", "hardening.overflow"),
        L("PoisonFacts.Without_the_option", "hardening.poison"),
        L("PoisonFacts.An_AreaPool_made_without", "hardening.poison"),
        L("PoisonCheckRangeFacts", "hardening.poison").In(Poison),
        L("PoisonCheckRangeFacts.Without_the_option", "hardening.poison"),
        L("HardeningArithmeticProperties", "hardening.check-words"),
        L("HardeningArithmeticProperties.A_link_copied", "hardening.links"),
        L("HardeningArithmeticProperties.Decoding_an_encoded_link", "hardening.links"),
        L("HardeningArithmeticProperties.Encoded_links", "hardening.links"),
        L("HardeningArithmeticProperties.The_link_rotation", "hardening.links"),
        L("HardeningArithmeticProperties.The_object_start_test", "hardening.links"),
        L("HardeningArithmeticProperties.Poison_scans", "hardening.poison"),
        L("IntegrityWalkerFacts", "hardening.walker"),

        // Capacity
        L("CapacityProperties", "capacity.guarantee"),
        L("CapacityProperties.After_every_block", "capacity.pristine"),
        L("CapacityProperties.Calloc_returns_zeroed", "semantics.calloc"),
        L("SlabFillProperties", "capacity.guarantee"),
        L("SlabFillProperties.A_slab_that_fills_beside_a_damaged", "hardening.check-words"),
        L("RefillProperties", "capacity.pristine"),

        // The harness checking itself
        H("BudgetFacts", "the one budget setting, AREAMALLOC_BUDGET"),
        H("InfrastructureTests", "budget, replay seeds, the property catalog, the mutation probe"),
        H("FailFastTests", "fail-fast mode changes reporting and order, never what is checked"),
        H("BoundedWaitFacts", "a wait on a thread, task, event, barrier or the pool's lock fails within its budget, naming the lock's waiters and holder"),
        H("RewritingSmokeTests", "the build rewrote the assemblies for Coyote, so Coyote controls the tasks"),
        H("InterleavingFacts", "the allocator's interleaving points are on under Coyote and off elsewhere"),
        H("QuarantiningBackendFacts", "the quarantining backend the delete-race scenarios rely on"),
        H("KeySeedFacts", "a replayed sequence gets the same hardening keys, so a replay reproduces the run"),
        H("FaultyImplementationsAreCaught", "the model-based property catches known faulty allocators (it is not vacuous)"),
        H("AllocatorModelTests", "the reference model judges hand-made outcomes correctly"),
        H("ModelDifferentialTests", "the model's clever parts agree with brute force"),
        H("LayerFacts", "the allocator's layers only look down (a rule of the code's structure, not a behaviour)"),
        H("MutationIgnoreFacts", "every mutant excluded from the mutation run is explained in docs/MUTATION.md"),
    ];

    private static readonly ILookup<string, Entry> s_byClass = Entries.ToLookup(e => e.Class, StringComparer.Ordinal);

    /// <summary>Where the test <paramref name="className"/>.<paramref name="methodName"/> belongs.</summary>
    /// <param name="className">The test class, with or without its namespace (only the short name is looked up).</param>
    /// <param name="methodName">The test method's name (without a theory's arguments).</param>
    public static CheckMapping Classify(string className, string methodName)
    {
        string shortName = ShortClassName(className);
        Entry? entry = s_byClass[shortName]
            .Where(e => e.MethodPrefix is null || methodName.StartsWith(e.MethodPrefix, StringComparison.Ordinal))
            .OrderByDescending(e => e.MethodPrefix?.Length ?? -1)
            .FirstOrDefault();
        if (entry is null)
            return new CheckMapping(CheckRole.Unmapped, [], [], shortName);
        if (entry.Harness is not null)
            return new CheckMapping(CheckRole.Harness, [], [], entry.Key, entry.Harness);
        return new CheckMapping(CheckRole.Law, entry.LawIds.Select(LawCatalog.Get).ToList(), entry.Configurations, entry.Key);
    }

    /// <summary>The class name without namespace or enclosing class: <c>A.B.C+D</c> is <c>D</c>.</summary>
    public static string ShortClassName(string className)
    {
        int cut = className.LastIndexOfAny(['.', '+']);
        return cut < 0 ? className : className[(cut + 1)..];
    }
}
