using System.Runtime.CompilerServices;
using AreaMalloc.Hardening;
using AreaMalloc.Format;

namespace AreaMalloc.LargeBlocks;

/// <summary>
/// Sealing and verifying boundary tags and free-list links, and the poison of freed bytes. Every Verify method
/// returns false after reporting the damage to the pool's guard (naming the block), and reads only: a header whose
/// check word does not match, a link that does not decode to a sealed free block of the heap that links back, a
/// successor that disagrees with its predecessor's size, or a poisoned byte that changed, is never followed.
/// </summary>
internal readonly unsafe partial struct LargeBlockHeap
{
    /// <summary>Writes the check word of the header at <paramref name="offset"/>: after every change to its fields.</summary>
    private void Seal(ulong offset)
    {
        BlockHeader* h = Header(offset);
        h->Check = _guard.Keys.CheckWord(offset, h->Size, h->PrevSize, h->Flags);
    }

    /// <summary>True when <paramref name="offset"/> is a header position of this heap (the sentinel's included) and the header there has its tag and a matching check word.</summary>
    public bool IsSealed(ulong offset)
    {
        if (offset < _guard.HeapStart || offset > _guard.HeapEnd || (offset & (Granules.Bytes - 1)) != 0)
            return false;
        BlockHeader* h = Header(offset);
        return h->HasTag && h->Check == _guard.Keys.CheckWord(offset, h->Size, h->PrevSize, h->Flags);
    }

    /// <summary>
    /// The live block at <paramref name="block"/> (a slab's block when <paramref name="slab"/>) may be followed: its
    /// header is sealed, used, and a slab exactly when asked.
    /// </summary>
    public bool IsLiveBlock(ulong block, bool slab)
    {
        if (!VerifyHeader(block))
            return false;
        BlockHeader* header = Header(block);
        return (!header->IsFree && header->IsSlab == slab) || Inconsistent(block, slab ? "belongs to a slab but is not marked a used slab" : "belongs to a live block but is marked free or a slab");
    }

    /// <summary>
    /// True when <see cref="Free"/> may release the live block at <paramref name="block"/>: the block, a free
    /// predecessor (with its links and its agreement on the block's position), and the successor side
    /// (<see cref="VerifySuccessors"/>) all check out. Reports and returns false otherwise; changes nothing.
    /// </summary>
    public bool CanFree(ulong block, bool slab)
    {
        if (!IsLiveBlock(block, slab))
            return false;
        BlockHeader* header = Header(block);
        return (!header->IsPrevFree || VerifyCandidate(block - Granules.OffsetOf(header->PrevSize)))
            && VerifySuccessors(block);
    }

    /// <summary>
    /// The block after <paramref name="block"/> is sealed and records the block's size; when it is free, its links
    /// and its own successor check out too: everything a free, shrink or grow of the block may touch beyond it.
    /// </summary>
    private bool VerifySuccessors(ulong block)
    {
        if (!VerifyFollower(block))
            return false;
        ulong next = block + SizeOf(Header(block));
        return !Header(next)->IsFree || VerifyCandidate(next);
    }

    /// <summary>A free block that may be allocated, unlinked or merged: sealed, free, its links check out, and its successor agrees with it.</summary>
    private bool VerifyCandidate(ulong block) => VerifyFreeNode(block) && VerifyFollower(block);

    /// <summary>The header after <paramref name="block"/> (the sentinel included) is sealed and records <paramref name="block"/>'s size as its previous size.</summary>
    private bool VerifyFollower(ulong block)
    {
        ulong next = block + SizeOf(Header(block));
        return VerifyHeader(next)
            && (Header(next)->PrevSize == Header(block)->Size || Inconsistent(next, $"records a previous size of {(ulong)Header(next)->PrevSize << Granules.Log2} bytes, but the block before it at 0x{block:x} has {SizeOf(Header(block))}"));
    }

    /// <summary>
    /// The block at <paramref name="block"/> is a sealed free block whose decoded links each name a sealed free block
    /// of the heap that links back to it (or, for a missing previous link, whose list's head is this block): the
    /// safe-unlink check, so unlinking it writes only into blocks that are free-list nodes.
    /// </summary>
    private bool VerifyFreeNode(ulong block)
    {
        if (!VerifyHeader(block))
            return false;
        if (!Header(block)->IsFree)
            return Inconsistent(block, "is followed as a free block but is not free");
        uint self = Granules.IndexOf(block);
        uint next = NextOf(block), prev = PrevOf(block);
        if (next != 0 && !LinksBack(next, self, viaNext: false))
            return BadLink(block, "next", next);
        if (prev == 0 ? H->FreeHeads[ListOf(block)] != self : !LinksBack(prev, self, viaNext: true))
            return BadLink(block, "previous", prev);
        return true;
    }

    /// <summary>The block at granule <paramref name="link"/> is a sealed free block of the heap (so not the sentinel) whose next (or previous) link is <paramref name="self"/>.</summary>
    private bool LinksBack(uint link, uint self, bool viaNext)
    {
        ulong block = Offset(link);
        return IsSealed(block) && Header(block)->IsFree && (viaNext ? NextOf(block) : PrevOf(block)) == self;
    }

    /// <summary>The header at <paramref name="offset"/> is sealed; otherwise the damage is reported.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool VerifyHeader(ulong offset) => IsSealed(offset) || BadHeader(offset);

    /// <summary>
    /// With poison on: the bytes [<paramref name="from"/>, <paramref name="to"/>) about to be handed out, clipped at
    /// the dirty mark (above it nothing was ever written), still hold the poison; otherwise the use-after-free write is
    /// reported at its first changed byte. Always true with poison off.
    /// </summary>
    private bool PoisonIntact(ulong from, ulong to)
    {
        if (!_guard.Poison)
            return true;
        to = Math.Min(to, H->DirtyHighWater);
        long broken = from < to ? PoisonFill.FirstBreak(_base + from, to - from) : -1;
        return broken < 0 || UseAfterFree(from + (ulong)broken);
    }

    /// <summary>With poison on, fills [<paramref name="from"/>, <paramref name="to"/>) below the dirty mark with the poison (never above it: those bytes stay zero for calloc).</summary>
    private void Poison(ulong from, ulong to)
    {
        if (!_guard.Poison)
            return;
        to = Math.Min(to, H->DirtyHighWater);
        if (from < to)
            PoisonFill.Fill(_base + from, to - from);
    }

    /// <summary>With poison on, fills [<paramref name="from"/>, <paramref name="to"/>) at and above the dirty mark: free bytes the mark is about to pass.</summary>
    private void PoisonNewlyDirty(ulong from, ulong to)
    {
        if (!_guard.Poison)
            return;
        from = Math.Max(from, H->DirtyHighWater);
        if (from < to)
            PoisonFill.Fill(_base + from, to - from);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool BadHeader(ulong offset)
    {
        bool outside = offset < _guard.HeapStart || offset > _guard.HeapEnd || (offset & (Granules.Bytes - 1)) != 0;
        _guard.Report(DamageKind.BlockHeader, offset, outside
            ? $"a block header is expected at 0x{offset:x}, which is not a header position of the heap"
            : $"check word mismatch in the block header at 0x{offset:x}");
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Inconsistent(ulong offset, string what)
    {
        _guard.Report(DamageKind.BlockHeader, offset, $"the block header at 0x{offset:x} {what}");
        return false;
    }

    /// <summary>
    /// Reports a link of <paramref name="block"/> that fails <see cref="VerifyFreeNode"/>. When it leads to a block
    /// position whose header fails its check word, the damage is that header's (the link itself is intact); otherwise
    /// the link is the damage.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool BadLink(ulong block, string which, uint link)
    {
        ulong target = Offset(link);
        bool inside = target >= _guard.HeapStart && target < _guard.HeapEnd;
        if (link != 0 && inside && !IsSealed(target))
        {
            _guard.Report(DamageKind.BlockHeader, target, $"check word mismatch in the block header at 0x{target:x}, reached by the {which} free-list link of the free block at 0x{block:x}");
            return false;
        }
        string why = link == 0 ? "but the block is not the head of its list"
            : inside ? "which is not a free block linking back to it" : "outside the heap";
        _guard.Report(DamageKind.FreeListLink, block, $"the {which} free-list link of the free block at 0x{block:x} decodes to 0x{target:x}, {why}");
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool UseAfterFree(ulong offset)
    {
        _guard.Report(DamageKind.UseAfterFreeWrite, offset, $"use-after-free write: the freed byte at 0x{offset:x} is 0x{_base[offset]:x2}, not the poison 0x{PoisonFill.Byte:x2}");
        return false;
    }
}
