using System.Globalization;
using AreaMalloc.Areas;

namespace AreaMalloc.TestKit.Backends;

/// <summary>
/// An area backend over <see cref="LinuxAreaBackend"/> that never really unmaps while a test runs: an unmapped range
/// stays mapped, in quarantine, with a copy of its bytes. So a use of a deleted pool does not crash the test process;
/// it is seen and reported: a block handed out inside a quarantined range (<see cref="FindQuarantined"/>), or a write
/// into one (<see cref="FindWritesAfterUnmap"/>). A second unmap of a quarantined byte is recorded too
/// (<see cref="DoubleUnmaps"/>). <see cref="Dispose"/> really unmaps everything; call it only when no task can touch
/// the memory any more. Thread-safe (an <c>object</c> lock, which Coyote controls).
/// </summary>
public sealed class QuarantiningAreaBackend : IAreaBackend, IDisposable
{
    private readonly LinuxAreaBackend _os = new();
    private readonly object _gate = new();
    private readonly List<(nint Address, nuint Size)> _mappings = [];
    private readonly List<QuarantinedRange> _quarantine = [];
    private readonly List<string> _doubleUnmaps = [];
    private ulong _mappedBytes;
    private ulong _unmappedBytes;
    private bool _disposed;

    /// <summary>Bytes mapped through this backend and not yet unmapped (quarantined): what a test would leak.</summary>
    public ulong LiveBytes
    {
        get { lock (_gate) return _mappedBytes - _unmappedBytes; }
    }

    /// <summary>Ranges unmapped so far, in order.</summary>
    public IReadOnlyList<QuarantinedRange> Quarantine
    {
        get { lock (_gate) return _quarantine.ToArray(); }
    }

    /// <summary>Unmaps of bytes that were already unmapped (each a description), in order.</summary>
    public IReadOnlyList<string> DoubleUnmaps
    {
        get { lock (_gate) return _doubleUnmaps.ToArray(); }
    }

    /// <inheritdoc />
    public int Map(in MapRequest request, out nint address)
    {
        int errno = _os.Map(request, out address);
        if (errno == 0)
        {
            lock (_gate)
            {
                _mappings.Add((address, request.Size));
                _mappedBytes += request.Size;
            }
        }
        return errno;
    }

    /// <summary>Quarantines the range instead of unmapping it: it stays mapped, its bytes are copied.</summary>
    public unsafe int Unmap(nint address, nuint size)
    {
        byte[] snapshot = new ReadOnlySpan<byte>((void*)address, checked((int)size)).ToArray();
        lock (_gate)
        {
            foreach (QuarantinedRange earlier in _quarantine)
            {
                if (earlier.Overlaps(address, size))
                    _doubleUnmaps.Add(string.Create(CultureInfo.InvariantCulture,
                        $"unmap #{_quarantine.Count + 1} ({size} bytes) overlaps unmap #{earlier.Sequence} ({earlier.Size} bytes)"));
            }
            _quarantine.Add(new QuarantinedRange(address, size, snapshot, _quarantine.Count + 1));
            _unmappedBytes += size;
        }
        return 0;
    }

    /// <inheritdoc />
    public int Protect(nint address, nuint size, PageAccess access) => _os.Protect(address, size, access);

    /// <inheritdoc />
    public int Lock(nint address, nuint size, bool onFault) => _os.Lock(address, size, onFault);

    /// <summary>The quarantined range that holds <paramref name="address"/>, or null.</summary>
    public QuarantinedRange? FindQuarantined(nint address)
    {
        lock (_gate)
            return _quarantine.Find(range => range.Contains(address));
    }

    /// <summary>
    /// One description per quarantined range whose bytes changed since it was unmapped (a write after delete),
    /// naming offsets from the range's start so that the text is the same when a trace is replayed.
    /// </summary>
    public IReadOnlyList<string> FindWritesAfterUnmap()
    {
        lock (_gate)
        {
            var writes = new List<string>();
            foreach (QuarantinedRange range in _quarantine)
            {
                long first = range.FirstChange();
                if (first >= 0)
                    writes.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{range.ChangedBytes()} byte(s) of unmapped range #{range.Sequence} ({range.Size} bytes) were written after the unmap, the first at offset 0x{first:x}"));
            }
            return writes;
        }
    }

    /// <summary>Really unmaps everything mapped through this backend, quarantined or not. Idempotent.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach ((nint address, nuint size) in _mappings)
                _os.Unmap(address, size);
            _mappings.Clear();
        }
    }
}
