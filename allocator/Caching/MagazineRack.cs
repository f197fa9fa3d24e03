namespace AreaMalloc.Caching;

/// <summary>
/// A pool's magazines, one per thread that freed or allocated a small block on it. Touched only under the pool's lock.
/// A locked section stops every magazine first (<see cref="Stop"/>) and resumes them last (<see cref="Resume"/>), so the pool's memory is
/// changed either under the lock with no fast path running, or by fast paths that touch only the magazine they entered
/// and the blocks they hand out or take in (a block taken in gets the cache mark by compare-exchange). A thread's
/// managed id is reused only after the thread ended, so a magazine found by id is the calling thread's own, or an ended
/// thread's that it takes over (blocks and all). Calls reach a
/// magazine through the pool's <see cref="StackWindows"/>, which the locked paths bind to the magazine found here.
/// </summary>
internal sealed class MagazineRack
{
    private readonly Dictionary<int, ThreadMagazine> _byThread = [];
    private ThreadMagazine[] _all = [];

    /// <summary>How many locked sections have stopped the magazines and not yet resumed them (a section opened inside another leaves them stopped).</summary>
    private int _stopDepth;

    /// <summary>Every magazine of the pool.</summary>
    public ReadOnlySpan<ThreadMagazine> All => _all;

    /// <summary>The magazine of the thread with managed id <paramref name="threadId"/>, made when it has none. Called in a stopped section: a new magazine starts stopped.</summary>
    public ThreadMagazine For(int threadId)
    {
        if (!_byThread.TryGetValue(threadId, out ThreadMagazine? magazine))
        {
            magazine = new ThreadMagazine();
            _byThread.Add(threadId, magazine);
            _all = [.. _all, magazine];
        }
        return magazine;
    }

    /// <summary>Whether any magazine holds <paramref name="offset"/>. Call in a stopped section.</summary>
    public bool Holds(ulong offset)
    {
        foreach (ThreadMagazine magazine in _all)
            if (magazine.Holds(offset))
                return true;
        return false;
    }

    /// <summary>A locked section begins: the outermost stops every magazine (<see cref="StopAll"/>).</summary>
    public void Stop()
    {
        if (_stopDepth++ == 0)
            StopAll();
    }

    /// <summary>A locked section ends: the outermost resumes every magazine (<see cref="ResumeAll"/>).</summary>
    public void Resume()
    {
        if (--_stopDepth == 0)
            ResumeAll();
    }

    /// <summary>How many blocks the magazines hold, over all threads.</summary>
    public int CachedBlocks
    {
        get
        {
            int cached = 0;
            foreach (ThreadMagazine magazine in _all)
                for (int c = 0; c < Slabs.SizeClasses.Count; c++)
                    cached += magazine.Count(c);
            return cached;
        }
    }

    /// <summary>Stops every magazine (waiting for fast paths in flight to leave).</summary>
    private void StopAll()
    {
        foreach (ThreadMagazine magazine in _all)
            magazine.Stop();
    }

    /// <summary>Gives every magazine back to its owner.</summary>
    private void ResumeAll()
    {
        foreach (ThreadMagazine magazine in _all)
            magazine.Resume();
    }

    /// <summary>
    /// The pool was deleted: every magazine, stopped now, is dropped from the list that <see cref="ResumeAll"/> walks,
    /// so it stays stopped for good and no fast path enters it again.
    /// </summary>
    public void AbandonAll() => _all = [];
}
