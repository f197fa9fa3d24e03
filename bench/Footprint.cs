using AreaMalloc.Pool;
namespace AreaMalloc.Bench;

/// <summary>
/// Workload 8: footprint. Replays a trace (workloads 2 and 3) once per allocator, untimed, and reports the
/// allocator's high-water mark of used bytes divided by the peak of live bytes requested (lower is better).
/// <list type="bullet">
/// <item>pool: <c>GetStatistics().PeakLargeUsedBytes</c> of a fresh pool: the high-water mark of heap bytes in used
/// blocks and slabs, headers included (exact, kept by the pool itself; the pool's fixed metadata is not counted).</item>
/// <item>glibc: mallinfo2() uordblks + hblkhd (bytes in used chunks, headers included, plus mmapped chunks), less
/// the value before the replay, sampled after every new peak of live bytes and every 64 operations. Process-wide:
/// the runtime's own mallocs on other threads can add a little noise.</item>
/// <item>mimalloc: a fresh first-class heap; mi_heap_visit_blocks summing each page's committed bytes
/// (capacity x block size), sampled like glibc.</item>
/// <item>jemalloc: mallctl "stats.active" (bytes in active pages) less its value before the replay, sampled like
/// glibc. Objects in jemalloc's thread cache count as active.</item>
/// </list>
/// </summary>
internal static unsafe class Footprint
{
    public sealed record Result(string Trace, ulong PeakLiveRequested, Dictionary<string, object> Figures, Dictionary<string, string> Notes);

    public static Result Measure(Trace trace)
    {
        var figures = new Dictionary<string, object>();
        var notes = new Dictionary<string, string>();

        var pool = PoolAlloc.Create(256 << 20);
        ulong peakLive = Replay(ref pool, trace, null);
        Pool.PoolStatistics stats = pool.Pool.GetStatistics();
        pool.Delete();
        figures["pool"] = Ratio(stats.PeakLargeUsedBytes, peakLive);
        notes["pool"] = $"PeakLargeUsedBytes {stats.PeakLargeUsedBytes} / peak live requested {peakLive}";

        if (NativePeers.GlibcInUse() is ulong glibcBefore)
        {
            var glibc = default(GlibcDirectAlloc);
            ulong peak = 0;
            Replay(ref glibc, trace, () =>
            {
                ulong now = NativePeers.GlibcInUse() ?? 0;
                peak = Math.Max(peak, now > glibcBefore ? now - glibcBefore : 0);
            });
            figures["glibc"] = Ratio(peak, peakLive);
            notes["glibc"] = $"mallinfo2 (uordblks + hblkhd) peak delta {peak}";
        }
        else
            figures["glibc"] = "skipped: mallinfo2 not callable";

        if (NativePeers.HasMimalloc)
        {
            var mi = MiHeapAlloc.Create();
            ulong peak = 0;
            Replay(ref mi, trace, () => peak = Math.Max(peak, NativePeers.MimallocHeapCommitted(mi.Heap)));
            mi.Destroy();
            figures["mimalloc"] = Ratio(peak, peakLive);
            notes["mimalloc"] = $"mi_heap_visit_blocks committed peak {peak}";
        }
        else
            figures["mimalloc"] = NativePeers.MimallocStatus;

        if (NativePeers.HasJemalloc && NativePeers.JemallocStat("stats.active") is ulong jeBefore)
        {
            var je = default(JeAlloc);
            ulong peak = 0;
            Replay(ref je, trace, () =>
            {
                ulong now = NativePeers.JemallocStat("stats.active") ?? 0;
                peak = Math.Max(peak, now > jeBefore ? now - jeBefore : 0);
            });
            figures["jemalloc"] = Ratio(peak, peakLive);
            notes["jemalloc"] = $"mallctl stats.active peak delta {peak}";
        }
        else
            figures["jemalloc"] = NativePeers.HasJemalloc ? "skipped: jemalloc statistics unavailable" : NativePeers.JemallocStatus;

        return new Result(trace.Name, peakLive, figures, notes);
    }

    private static double Ratio(ulong used, ulong live) => Math.Round((double)used / live, 4);

    /// <summary>Replays the trace, calling <paramref name="sample"/> at every new peak of live bytes and every 64 operations; returns the peak of live bytes requested.</summary>
    private static ulong Replay<T>(ref T a, Trace trace, Action? sample) where T : struct, IAlloc
    {
        var slots = new nint[trace.SlotCount];
        var sizes = new uint[trace.SlotCount];
        ulong live = 0, peak = 0;
        for (int i = 0; i < trace.Length; i++)
        {
            int s = trace.Slot[i];
            switch (trace.Kind[i])
            {
                case Trace.Malloc:
                    slots[s] = a.Malloc(trace.Size[i]);
                    *(long*)slots[s] = i;
                    live += sizes[s] = trace.Size[i];
                    break;
                case Trace.Free:
                    a.Free(slots[s]);
                    slots[s] = 0;
                    live -= sizes[s];
                    sizes[s] = 0;
                    break;
                default:
                    slots[s] = a.Realloc(slots[s], trace.Size[i]);
                    *(long*)slots[s] = i;
                    live = live - sizes[s] + trace.Size[i];
                    sizes[s] = trace.Size[i];
                    break;
            }
            if (live > peak)
            {
                peak = live;
                sample?.Invoke();
            }
            else if ((i & 63) == 0)
                sample?.Invoke();
        }
        return peak;
    }
}
