using System.Security.Cryptography;
using System.Text;

namespace AreaMalloc.MutationGate;

/// <summary>
/// Git's object id of a file's content (<c>git hash-object</c>: SHA-1 of "blob LENGTH\0" and the bytes), computed
/// without git so that a shallow clone or a tree without history compares the same way.
/// </summary>
internal static class BlobHash
{
    /// <summary>The blob id of <paramref name="content"/>, 40 lower-case hex digits.</summary>
    public static string Of(ReadOnlySpan<byte> content)
    {
        byte[] header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(header);
        sha.AppendData(content);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The blob id of the file at <paramref name="path"/>.</summary>
    public static string OfFile(string path) => Of(File.ReadAllBytes(path));
}
