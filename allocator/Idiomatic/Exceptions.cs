namespace AreaMalloc.Idiomatic;

/// <summary>Thrown when a pool has no room for a request (malloc would return NULL).</summary>
public sealed class PoolExhaustedException : OutOfMemoryException
{
    /// <summary>Creates the exception.</summary>
    public PoolExhaustedException() { }

    /// <summary>Creates the exception with a message.</summary>
    public PoolExhaustedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PoolExhaustedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Thrown when a pointer passed to a pool is not a live block of that pool; the pool is unchanged.</summary>
public sealed class InvalidBlockException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidBlockException() { }

    /// <summary>Creates the exception with a message.</summary>
    public InvalidBlockException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public InvalidBlockException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a message naming the parameter.</summary>
    public InvalidBlockException(string message, string paramName) : base(message, paramName) { }
}

/// <summary>
/// Thrown when a pool refuses an allocation because it met damage in its own memory: metadata written by something
/// other than the allocator (an overflow past the end of a block), or, with <see cref="Pool.PoolHardening.PoisonFreedMemory"/>,
/// a write into freed memory. The pool refuses every allocation from then on; blocks that check out can still be freed.
/// </summary>
public sealed class PoolCorruptedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public PoolCorruptedException() { }

    /// <summary>Creates the exception with a message.</summary>
    public PoolCorruptedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PoolCorruptedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for the damage a pool recorded.</summary>
    public PoolCorruptedException(string message, Format.PoolDamage damage) : base(message) => Damage = damage;

    /// <summary>The first damage the pool met: its kind, offset and description.</summary>
    public Format.PoolDamage? Damage { get; }
}

/// <summary>Thrown when a pool cannot be created; the message gives the Be status.</summary>
public sealed class PoolCreationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PoolCreationException() { }

    /// <summary>Creates the exception with a message.</summary>
    public PoolCreationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PoolCreationException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a failed create_pool.</summary>
    public PoolCreationException(string message, int status) : base(message) => Status = status;

    /// <summary>The Be status create_pool failed with (B_BAD_VALUE, B_NO_MEMORY, ...).</summary>
    public int Status { get; }
}

/// <summary>Thrown when a pool's area cannot be shared: cloned for a view, or exported to another process; the pool is unchanged.</summary>
public sealed class PoolSharingException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public PoolSharingException() { }

    /// <summary>Creates the exception with a message.</summary>
    public PoolSharingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PoolSharingException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a failed clone_area or export.</summary>
    public PoolSharingException(string message, int status) : base(message) => Status = status;

    /// <summary>The Be status the clone or export failed with (B_NOT_ALLOWED when the area is not cloneable, B_NO_MEMORY, ...).</summary>
    public int Status { get; }
}
