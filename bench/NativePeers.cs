using System.Runtime.InteropServices;

namespace AreaMalloc.Bench;

/// <summary>
/// The native peers, found at run time so that a missing library is reported, not a crash.
/// <list type="bullet">
/// <item>glibc: <see cref="NativeMemory"/> (the peer the issue names), plus glibc's own <c>malloc</c>/<c>free</c>
/// called directly with <c>SuppressGCTransition</c> (informational: the same allocator without the GC transition
/// that <see cref="NativeMemory"/> pays), and <c>mallinfo2</c>/<c>malloc_trim</c> for footprint.</item>
/// <item>mimalloc (libmimalloc.so.2): first-class heaps (<c>mi_heap_new</c>, <c>mi_heap_malloc</c>, <c>mi_free</c>,
/// <c>mi_heap_destroy</c>) and the thread-local default heap (<c>mi_malloc</c>) for the two-thread workload.</item>
/// <item>jemalloc (libjemalloc.so.2): Debian's build exports only unprefixed names (<c>malloc</c>, <c>free</c>,
/// <c>mallocx</c>, ...; no <c>je_</c> prefix), so the symbols are taken with <see cref="NativeLibrary.GetExport"/>
/// from jemalloc's own handle (dlsym on that handle returns jemalloc's definition, not glibc's).
/// Loaded with dlopen, jemalloc runs beside glibc rather than replacing it.</item>
/// </list>
/// Every function pointer is <c>SuppressGCTransition</c> except those that may run long (heap new/destroy, stats).
/// </summary>
internal static unsafe class NativePeers
{
    public static readonly bool HasMimalloc;
    public static readonly bool HasJemalloc;
    public static readonly bool HasGlibcDirect;
    public static readonly string MimallocStatus;
    public static readonly string JemallocStatus;
    public static readonly string GlibcDirectStatus;

    // glibc, direct.
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nint> LibcMalloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, void> LibcFree;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nuint, nint> LibcCalloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint> LibcRealloc;
    public static readonly delegate* unmanaged<MallInfo2> LibcMallinfo2;
    public static readonly delegate* unmanaged<nuint, int> LibcMallocTrim;

    // mimalloc.
    public static readonly delegate* unmanaged<nint> MiHeapNew;
    public static readonly delegate* unmanaged<nint, void> MiHeapDestroy;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint> MiHeapMalloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint, nuint, nint> MiHeapCalloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, nuint, nint> MiHeapRealloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nint> MiMalloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, void> MiFree;
    public static readonly delegate* unmanaged<nint, byte, delegate* unmanaged<nint, nint, nint, nuint, nint, byte>, nint, byte> MiHeapVisitBlocks;
    public static readonly delegate* unmanaged<int, void> MiCollect;

    // jemalloc.
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nint> JeMalloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, void> JeFree;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nuint, nint> JeCalloc;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint> JeRealloc;
    public static readonly delegate* unmanaged<byte*, void*, nuint*, void*, nuint, int> JeMallctl;

    /// <summary>glibc's <c>struct mallinfo2</c> (all fields size_t).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    static NativePeers()
    {
        // glibc: libc.so.6 is already loaded in every .NET process on Linux.
        if (NativeLibrary.TryLoad("libc.so.6", out nint libc)
            && TryGet(libc, "malloc", out nint m) && TryGet(libc, "free", out nint f)
            && TryGet(libc, "calloc", out nint c) && TryGet(libc, "realloc", out nint r))
        {
            LibcMalloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nint>)m;
            LibcFree = (delegate* unmanaged[SuppressGCTransition]<nint, void>)f;
            LibcCalloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, nint>)c;
            LibcRealloc = (delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint>)r;
            if (TryGet(libc, "mallinfo2", out nint mi))
                LibcMallinfo2 = (delegate* unmanaged<MallInfo2>)mi;
            if (TryGet(libc, "malloc_trim", out nint mt))
                LibcMallocTrim = (delegate* unmanaged<nuint, int>)mt;
            HasGlibcDirect = true;
            GlibcDirectStatus = "libc.so.6: malloc/free/calloc/realloc" + (LibcMallinfo2 != null ? ", mallinfo2" : "");
        }
        else
            GlibcDirectStatus = "skipped: libc.so.6 or its malloc exports not found";

        // AREAMALLOC_BENCH_SKIP=mimalloc,jemalloc pretends a peer is not installed (to check the skipping path).
        string skip = Environment.GetEnvironmentVariable("AREAMALLOC_BENCH_SKIP") ?? "";
        if (skip.Contains("mimalloc", StringComparison.OrdinalIgnoreCase))
            MimallocStatus = "skipped: AREAMALLOC_BENCH_SKIP names mimalloc";
        else if (!NativeLibrary.TryLoad("libmimalloc.so.2", out nint mimalloc))
            MimallocStatus = "skipped: libmimalloc.so.2 not found (install Debian's libmimalloc2.0: bench/install-peers.sh)";
        else if (TryGet(mimalloc, "mi_heap_new", out nint hn) && TryGet(mimalloc, "mi_heap_destroy", out nint hd)
            && TryGet(mimalloc, "mi_heap_malloc", out nint hm) && TryGet(mimalloc, "mi_heap_calloc", out nint hc)
            && TryGet(mimalloc, "mi_heap_realloc", out nint hr) && TryGet(mimalloc, "mi_malloc", out nint mm)
            && TryGet(mimalloc, "mi_free", out nint mf) && TryGet(mimalloc, "mi_heap_visit_blocks", out nint hv)
            && TryGet(mimalloc, "mi_collect", out nint mc))
        {
            MiHeapNew = (delegate* unmanaged<nint>)hn;
            MiHeapDestroy = (delegate* unmanaged<nint, void>)hd;
            MiHeapMalloc = (delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint>)hm;
            MiHeapCalloc = (delegate* unmanaged[SuppressGCTransition]<nint, nuint, nuint, nint>)hc;
            MiHeapRealloc = (delegate* unmanaged[SuppressGCTransition]<nint, nint, nuint, nint>)hr;
            MiMalloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nint>)mm;
            MiFree = (delegate* unmanaged[SuppressGCTransition]<nint, void>)mf;
            MiHeapVisitBlocks = (delegate* unmanaged<nint, byte, delegate* unmanaged<nint, nint, nint, nuint, nint, byte>, nint, byte>)hv;
            MiCollect = (delegate* unmanaged<int, void>)mc;
            HasMimalloc = true;
            MimallocStatus = "libmimalloc.so.2: mi_heap_new/mi_heap_malloc/mi_free/mi_heap_destroy";
        }
        else
            MimallocStatus = "skipped: libmimalloc.so.2 lacks the first-class heap API";

        if (skip.Contains("jemalloc", StringComparison.OrdinalIgnoreCase))
            JemallocStatus = "skipped: AREAMALLOC_BENCH_SKIP names jemalloc";
        else if (!NativeLibrary.TryLoad("libjemalloc.so.2", out nint jemalloc))
            JemallocStatus = File.Exists("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2") || File.Exists("/usr/lib/aarch64-linux-gnu/libjemalloc.so.2")
                ? "skipped: libjemalloc.so.2 is installed but dlopen failed (static TLS: run through `dotnet run`, which sets GLIBC_TUNABLES=glibc.rtld.optional_static_tls)"
                : "skipped: libjemalloc.so.2 not found (install Debian's libjemalloc2: bench/install-peers.sh)";
        else if (TryGet(jemalloc, "malloc", out nint jm) && TryGet(jemalloc, "free", out nint jf)
            && TryGet(jemalloc, "calloc", out nint jc) && TryGet(jemalloc, "realloc", out nint jr)
            && TryGet(jemalloc, "mallctl", out nint jctl))
        {
            JeMalloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nint>)jm;
            JeFree = (delegate* unmanaged[SuppressGCTransition]<nint, void>)jf;
            JeCalloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, nint>)jc;
            JeRealloc = (delegate* unmanaged[SuppressGCTransition]<nint, nuint, nint>)jr;
            JeMallctl = (delegate* unmanaged<byte*, void*, nuint*, void*, nuint, int>)jctl;
            bool distinct = !HasGlibcDirect || jm != (nint)LibcMalloc;
            HasJemalloc = distinct;
            JemallocStatus = distinct
                ? "libjemalloc.so.2: unprefixed malloc/free/calloc/realloc taken from jemalloc's own handle (Debian exports no je_ names)"
                : "skipped: libjemalloc.so.2's malloc resolved to glibc's";
        }
        else
            JemallocStatus = "skipped: libjemalloc.so.2 lacks malloc/free/mallctl exports";
    }

    private static bool TryGet(nint library, string name, out nint address) =>
        NativeLibrary.TryGetExport(library, name, out address);

    /// <summary>glibc's in-use bytes (chunks in use, headers included, plus mmapped chunks), or null when mallinfo2 is missing.</summary>
    public static ulong? GlibcInUse()
    {
        if (LibcMallinfo2 == null)
            return null;
        MallInfo2 info = LibcMallinfo2();
        return (ulong)info.Uordblks + info.Hblkhd;
    }

    /// <summary>A jemalloc statistic (after an epoch refresh), e.g. "stats.active"; null when unavailable (stats disabled).</summary>
    public static ulong? JemallocStat(string name)
    {
        if (!HasJemalloc)
            return null;
        ulong epoch = 1;
        nuint size = (nuint)sizeof(ulong);
        byte[] epochName = "epoch\0"u8.ToArray();
        fixed (byte* e = epochName)
            JeMallctl(e, &epoch, &size, &epoch, (nuint)sizeof(ulong));
        nuint value = 0;
        size = (nuint)sizeof(nuint);
        byte[] statName = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* s = statName)
            return JeMallctl(s, &value, &size, null, 0) == 0 ? value : null;
    }

    /// <summary>
    /// The bytes mimalloc has carved into blocks in the pages of <paramref name="heap"/>: the sum over its pages of
    /// capacity x block size (mi_heap_area_t.committed), through mi_heap_visit_blocks without visiting blocks.
    /// </summary>
    public static ulong MimallocHeapCommitted(nint heap)
    {
        ulong total = 0;
        MiHeapVisitBlocks(heap, 0, &VisitArea, (nint)(&total));
        return total;
    }

    [UnmanagedCallersOnly]
    private static byte VisitArea(nint heap, nint area, nint block, nuint blockSize, nint arg)
    {
        // mi_heap_area_t: { void* blocks; size_t reserved; size_t committed; size_t used; size_t block_size; ... }
        if (block == 0 && area != 0)
            *(ulong*)arg += (ulong)((nuint*)area)[2];
        return 1;
    }
}
