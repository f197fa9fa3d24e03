using AreaMalloc.Models;
using AreaMalloc.Properties.ModelBased.Commands;
using AreaMalloc.Properties.ModelBased.UnderTest;
using AreaMalloc.Pool;

namespace AreaMalloc.Properties.ModelBased;

/// <summary>From symbols to model operations, and from concrete calls to the implementation.</summary>
public sealed partial class SequenceDriver
{
    /// <summary>The model operation a command stands for now, or null when it names an unbound symbol.</summary>
    private Operation? ToOperation(Command command)
    {
        switch (command)
        {
            case GetModuleCommand g:
                return new GetModule(g.Name);
            case PutModuleCommand:
                return new PutModule();
            case CreatePoolCommand c:
                return new CreatePool(c.AddressSpec, c.Size, c.LockSpec, CreatePoolCommand.Protection);
            case InvalidCreatePoolCommand i:
                var a = i.Arguments;
                return new CreatePool(a.AddressSpec, a.Size, a.LockSpec, a.Protection);
        }

        int poolSym = command switch
        {
            DeletePoolCommand x => x.Pool,
            MallocCommand x => x.Pool,
            CallocCommand x => x.Pool,
            ReallocCommand x => x.Pool,
            FreeCommand x => x.Pool,
            DoubleFreeCommand x => x.Pool,
            InteriorFreeCommand x => x.Pool,
            ForeignFreeCommand x => x.Pool,
            FreedPointerToReallocCommand x => x.Pool,
            DeletedPoolCallCommand x => x.Pool,
            CallocOverflowCommand x => x.Pool,
            ImpossibleSizeCommand x => x.Pool,
            _ => throw new ArgumentException("unknown command " + command.GetType().Name, nameof(command)),
        };
        PoolRef p;
        if (poolSym == 0)
        {
            p = PoolRef.Raw(AllocatorModel.GarbagePoolHandle);
        }
        else if (!pools.TryGetValue(poolSym, out p))
        {
            return null;
        }

        int blockSym = command switch
        {
            ReallocCommand x => x.Old,
            FreeCommand x => x.Block,
            DoubleFreeCommand x => x.Block,
            InteriorFreeCommand x => x.Block,
            ForeignFreeCommand x => x.Other,
            FreedPointerToReallocCommand x => x.Block,
            DeletedPoolCallCommand x => x.Block,
            _ => 0,
        };
        BlockRef b = BlockRef.Null;
        if (blockSym != 0)
        {
            if (!blocks.TryGetValue(blockSym, out int id))
            {
                return null;
            }

            b = BlockRef.Of(id);
        }

        return command switch
        {
            DeletePoolCommand => new DeletePool(p),
            MallocCommand m => new Malloc(p, m.Size),
            CallocCommand c => new Calloc(p, c.Count, c.Size),
            ReallocCommand r => new Realloc(p, b, r.Size),
            FreeCommand => new Free(p, b),
            DoubleFreeCommand => new DoubleFree(p, b),
            InteriorFreeCommand i => new InteriorFree(p, b, i.Offset),
            ForeignFreeCommand f => new ForeignFree(p, ForeignAddress(f, p, b)),
            FreedPointerToReallocCommand r => new FreedPointerToRealloc(p, b, r.Size),
            DeletedPoolCallCommand d => new OperationOnDeletedPool(p, d.Kind, b, d.Size),
            CallocOverflowCommand c => new CallocOverflow(p, c.Count, c.Size),
            ImpossibleSizeCommand s => new ImpossibleSize(p, s.Size),
            _ => throw new ArgumentException("unknown command " + command.GetType().Name, nameof(command)),
        };
    }

    private ulong ForeignAddress(ForeignFreeCommand f, PoolRef p, BlockRef other) => f.Kind switch
    {
        ForeignPointer.NativeHeap => (ulong)foreign,
        ForeignPointer.PoolHeader => model.Pool(p.Number).Geometry.Base + 64,
        ForeignPointer.OtherPoolBlock => model.AddressOf(other),
        _ => WildAddress,
    };

    /// <summary>Makes the concrete call on the implementation and reports what it did.</summary>
    private Observation Perform(ApiCall call)
    {
        nint pool = (nint)call.Pool;
        switch (call.Kind)
        {
            case CallKind.GetModule:
                return Observation.Returned(sut.GetModule(call.ModuleName ?? ""));
            case CallKind.PutModule:
                return Observation.Returned(sut.PutModule());
            case CallKind.CreatePool:
                nint id = sut.CreatePool(call.AddressSpec, (nuint)call.Size, call.LockSpec, call.Protection);
                if (id == 0)
                {
                    return Observation.Null;
                }

                IPoolUnderTest created = sut.Pool(id) ?? throw new InvalidOperationException("create_pool returned an id the module does not know");
                return Observation.Pool((ulong)id, new PoolGeometry((ulong)created.Base, created.AreaSize, created.MaxSingleRequest)
                {
                    // Stronger than the area: a request above MaxSingleRequest can never be satisfied, so it must return NULL.
                    Capacity = created.MaxSingleRequest,
                });
            case CallKind.DeletePool:
                return Observation.Returned(sut.DeletePool(pool));
            case CallKind.Malloc:
                return Returned(pool, sut.Malloc(pool, (nuint)call.Size));
            case CallKind.Calloc:
                return Returned(pool, sut.Calloc(pool, (nuint)call.Count, (nuint)call.Size));
            case CallKind.Realloc:
                return Returned(pool, sut.Realloc(pool, (nint)call.Address, (nuint)call.Size));
            default:
                sut.Free(pool, (nint)call.Address);
                return Observation.Null;
        }
    }

    /// <summary>A returned pointer and the usable size the pool reports for it right away.</summary>
    private Observation Returned(nint pool, nint block) =>
        block == 0 ? Observation.Null : Observation.Block((ulong)block, sut.Pool(pool)?.UsableSize(block) ?? 0);
}
