using AreaMalloc.Areas;
using AreaMalloc.Pool;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.Properties.Support;

/// <summary>A fresh pool in its own registry for one property case; deleted on dispose.</summary>
internal sealed class ScratchPool : IDisposable
{
    public ScratchPool(ulong size)
    {
        Allocator = PoolAllocator.Create(new AreaRegistry(new LinuxAreaBackend()), B_ANY_ADDRESS, (nuint)size, B_NO_LOCK,
            B_READ_AREA | B_WRITE_AREA, out int status) ?? throw new InvalidOperationException($"create_pool({size}) failed: {status}");
    }

    public PoolAllocator Allocator { get; }

    public void Dispose() => Allocator.Delete();
}
