// AreaMalloc.Format.Interleaving.Hook is process-wide: scenarios install it for the length of one Coyote run,
// so no two tests of this assembly may run at once.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
