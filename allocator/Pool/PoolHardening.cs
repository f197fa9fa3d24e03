namespace AreaMalloc.Pool;

/// <summary>
/// Optional hardening of a pool, chosen once when it is created. Check words on block headers, encoded free-list
/// links and keyed slab headers are always on; this adds the checks that cost time in proportion to the bytes freed.
/// </summary>
[Flags]
public enum PoolHardening
{
    /// <summary>The default: metadata is checked (always), freed memory is not.</summary>
    None = 0,

    /// <summary>
    /// Freed bytes are filled with a poison byte (0xDE), except the bytes a free block's free-list link uses, and checked
    /// when they are handed out again (as Haiku's paranoid kernel heap does). A changed byte is a write through a
    /// dangling pointer: the allocation refuses the block (NULL) and the pool records a
    /// <see cref="Format.DamageKind.UseAfterFreeWrite"/> (<see cref="PoolStatistics.UseAfterFreeWrites"/>,
    /// <see cref="PoolStatistics.FirstDamage"/>); the integrity walker checks the poison of every free block too.
    /// Costs a fill per free and a scan per reuse, each as long as the block. calloc still zeroes.
    /// </summary>
    PoisonFreedMemory = 1,
}
