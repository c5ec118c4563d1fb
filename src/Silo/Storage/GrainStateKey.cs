using System.Text;
using Orleans.Storage;

namespace FleetPods.Silo.Storage;

/// <summary>
/// Where one grain's state lives in the OrleansStorage table: the columns Orleans' ADO.NET grain storage keys a row by.
/// Orleans keeps its own computation of them internal (AdoGrainKey), so it is made again here from the same public
/// parts (the grain id's integer, Guid or string form and <see cref="OrleansDefaultHasher"/>); rows written by either
/// provider are read by the other, which <c>GrainStateRowFormatTests</c> pins, so a database written before
/// <see cref="BatchedGrainStorage"/> is read unchanged.
/// </summary>
internal readonly record struct GrainStateKey(int GrainIdHash, long N0, long N1, int GrainTypeHash, string GrainType, string Extension)
{
    private static readonly OrleansDefaultHasher Hasher = new();

    public static GrainStateKey For(string stateName, GrainId grainId)
    {
        // Orleans' provider strips generic arguments from this name; a FleetPods state name has none to strip.
        if (stateName.Contains('`', StringComparison.Ordinal))
        {
            throw new ArgumentException($"state name '{stateName}' names a generic type, which this storage does not key", nameof(stateName));
        }

        var typeHash = Hasher.Hash(Encoding.UTF8.GetBytes(stateName));
        if (grainId.TryGetGuidKey(out var guid, out var guidExtension))
        {
            var bytes = guid.ToByteArray();
            return Keyed(BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8), guidExtension, bytes);
        }

        if (grainId.TryGetIntegerKey(out var integer, out var integerExtension))
        {
            return Keyed(0, integer, integerExtension, BitConverter.GetBytes(integer));
        }

        var key = grainId.Key.ToString()!;
        return new GrainStateKey(Hash(Encoding.UTF8.GetBytes(key)), 0, 0, typeHash, stateName, key);

        GrainStateKey Keyed(long n0, long n1, string? extension, byte[] keyBytes)
        {
            var hashed = extension is null ? keyBytes : [.. keyBytes, .. Encoding.UTF8.GetBytes(extension)];
            return new GrainStateKey(Hash(hashed), n0, n1, typeHash, stateName, extension ?? "");
        }
    }

    // The key's bytes are hashed in reverse on a little-endian machine, as Orleans' provider does.
    private static int Hash(byte[] bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return Hasher.Hash(bytes);
    }
}
