namespace AreaMalloc.Pool;

/// <summary>
/// A pool's magazines, one per thread that freed or allocated a small block on it. Touched only under the pool's lock.
/// A locked section stops every magazine first (<see cref="StopAll"/>) and resumes them last, so the pool's memory is
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

    /// <summary>Stops every magazine (waiting for fast paths in flight to leave).</summary>
    public void StopAll()
    {
        foreach (ThreadMagazine magazine in _all)
            magazine.Stop();
    }

    /// <summary>Gives every magazine back to its owner.</summary>
    public void ResumeAll()
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
