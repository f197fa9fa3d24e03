namespace AreaMalloc.Areas;

/// <summary>What <c>get_area_info</c> tells of one live area.</summary>
/// <param name="Id">The area's id: positive, never reused within a registry.</param>
/// <param name="Name">The area's name, truncated to <c>B_OS_NAME_LENGTH - 1</c> characters.</param>
/// <param name="Address">The first byte of the area.</param>
/// <param name="Size">The area's size in bytes (a multiple of <c>B_PAGE_SIZE</c>).</param>
/// <param name="AddressSpec">The address spec the area was created with.</param>
/// <param name="Lock">The lock spec the area was created with.</param>
/// <param name="Protection">The protection bits the area was created with.</param>
public readonly record struct AreaInfo(int Id, string Name, nint Address, nuint Size, uint AddressSpec, uint Lock, uint Protection);
