using System.Globalization;
using System.Security.Cryptography;

namespace AreaMalloc.Areas;

/// <summary>
/// The memory object a shared area's pages are (on Linux a memfd), as one registry holds it: the handle it maps it
/// through, and how many of the registry's areas map it (plus clones being mapped). Its name, which the OS shows to any
/// process that opens it, is made of a random tag and the size, so that a process that opens the handle another process
/// exported can tell that it found that very object, and not whatever later took the handle's number.
/// Mutated only under the registry's lock.
/// </summary>
internal sealed class SharedMemory(int handle, ulong tag, nuint size, bool writable)
{
    /// <summary>The backend's handle of the object in this process.</summary>
    public int Handle { get; } = handle;

    /// <summary>The random tag in the object's name.</summary>
    public ulong Tag { get; } = tag;

    /// <summary>The object's size in bytes (sealed: it never changes).</summary>
    public nuint Size { get; } = size;

    /// <summary>
    /// Whether the handle lets mappings write (an object this registry made, or opened for writing); an object opened
    /// read-only (cloned read-only from another team) can never be mapped writable here.
    /// </summary>
    public bool Writable { get; } = writable;

    /// <summary>Areas of the registry that map the object, plus clones of it being mapped; the handle is closed at 0.</summary>
    public int Users { get; set; } = 1;

    /// <summary>The object's name: <c>area_malloc:&lt;tag, 16 hex digits&gt;:&lt;size, hex&gt;</c>.</summary>
    public string Name => NameOf(Tag, Size);

    /// <summary>The name of the object with <paramref name="tag"/> and <paramref name="size"/>.</summary>
    public static string NameOf(ulong tag, nuint size) => string.Create(CultureInfo.InvariantCulture, $"area_malloc:{tag:x16}:{(ulong)size:x}");

    /// <summary>A fresh random tag (64 bits: two objects alive at once never share one in practice).</summary>
    public static ulong NewTag() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
}
