using System.Buffers.Binary;
using System.Text;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// What FleetPods reads of an uncompressed x86-64 ELF <c>vmlinux</c>: that it has the PVH entry note qemu boots it
/// through (a Xen ELF note of type XEN_ELFNOTE_PHYS32_ENTRY, present with CONFIG_PVH), its release (from the
/// <c>Linux version</c> banner in <c>.rodata</c>), and whether it takes modules (a kernel built with CONFIG_MODULES
/// exports symbols to them: a non-empty <c>__ksymtab</c>). Only the headers, notes and those sections are read, each
/// bounded by the file, so a large or malformed file costs little and is refused in one line.
/// </summary>
internal sealed record PvhVmlinux(string Release, bool Modular)
{
    private const ushort MachineX8664 = 62;
    private const uint ProgramNote = 4;
    private const uint XenNotePhys32Entry = 18;
    private const int MaxHeaders = 4096;
    private const long MaxSectionBytes = 64L << 20;
    private static readonly byte[] Banner = "Linux version "u8.ToArray();

    /// <summary>True when <paramref name="start"/> begins with the ELF magic.</summary>
    public static bool IsElf(ReadOnlySpan<byte> start) => start.StartsWith("\u007fELF"u8);

    /// <exception cref="PodLaunchException">Not a 64-bit little-endian x86-64 ELF, no PVH note, or no release.</exception>
    public static PvhVmlinux Read(string path, FileStream file)
    {
        var header = ReadAt(file, 0, 64) ?? throw Refused(path, "is an ELF file too short for its header");
        if (header[4] != 2 || header[5] != 1 || BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(18)) != MachineX8664)
        {
            throw Refused(path, "is an ELF file but not a 64-bit x86-64 one");
        }

        if (!HasPvhNote(file, header))
        {
            throw Refused(path, "is an x86-64 ELF without a PVH entry note, which qemu needs to boot it (build it with CONFIG_PVH=y)");
        }

        var sections = Sections(file, header);
        var rodata = sections.TryGetValue(".rodata", out var r) ? ReadAt(file, r.Offset, r.Size) : null;
        var at = rodata is null ? -1 : rodata.AsSpan().IndexOf(Banner);
        if (at < 0)
        {
            throw Refused(path, "is a PVH ELF without a 'Linux version' banner in .rodata: not a Linux kernel");
        }

        var rest = rodata.AsSpan(at + Banner.Length);
        var end = rest.IndexOfAny((byte)' ', (byte)0);
        if (end <= 0)
        {
            throw Refused(path, "has an empty release in its 'Linux version' banner");
        }

        var modular = sections.TryGetValue("__ksymtab", out var exports) && exports.Size > 0;
        return new PvhVmlinux(Encoding.ASCII.GetString(rest[..end]), modular);
    }

    private static bool HasPvhNote(FileStream file, byte[] header)
    {
        var table = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32));
        var size = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(54));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(56));
        if (size < 56 || count > MaxHeaders)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var entry = ReadAt(file, table + (ulong)(i * size), 56);
            if (entry is null || BinaryPrimitives.ReadUInt32LittleEndian(entry) != ProgramNote)
            {
                continue;
            }

            var notes = ReadAt(file, BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(8)), BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(32)));
            if (notes is not null && HasXenEntry(notes))
            {
                return true;
            }
        }

        return false;
    }

    // Each note: name size, description size, type, then the name and the description, each padded to 4 bytes.
    private static bool HasXenEntry(ReadOnlySpan<byte> notes)
    {
        while (notes.Length >= 12)
        {
            var nameSize = BinaryPrimitives.ReadUInt32LittleEndian(notes);
            var descriptionSize = BinaryPrimitives.ReadUInt32LittleEndian(notes[4..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(notes[8..]);
            var length = 12 + Align(nameSize) + Align(descriptionSize);
            if (length > (ulong)notes.Length)
            {
                return false;
            }

            if (type == XenNotePhys32Entry && nameSize == 4 && notes.Slice(12, 4).SequenceEqual("Xen\0"u8))
            {
                return true;
            }

            notes = notes[(int)length..];
        }

        return false;
    }

    private static ulong Align(uint size) => ((ulong)size + 3) & ~3UL;

    private static Dictionary<string, (ulong Offset, ulong Size)> Sections(FileStream file, byte[] header)
    {
        var found = new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal);
        var table = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(40));
        var size = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(58));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(60));
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(62));
        if (size < 64 || count > MaxHeaders || namesIndex >= count)
        {
            return found;
        }

        var entries = ReadAt(file, table, (ulong)size * count);
        if (entries is null)
        {
            return found;
        }

        var namesEntry = entries.AsSpan(namesIndex * size);
        var names = ReadAt(file, BinaryPrimitives.ReadUInt64LittleEndian(namesEntry[24..]), BinaryPrimitives.ReadUInt64LittleEndian(namesEntry[32..]));
        if (names is null)
        {
            return found;
        }

        for (var i = 0; i < count; i++)
        {
            var entry = entries.AsSpan(i * size);
            var nameAt = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            if (nameAt >= names.Length)
            {
                continue;
            }

            var name = names.AsSpan((int)nameAt);
            var nameEnd = name.IndexOf((byte)0);
            found.TryAdd(Encoding.ASCII.GetString(nameEnd < 0 ? name : name[..nameEnd]), (BinaryPrimitives.ReadUInt64LittleEndian(entry[24..]), BinaryPrimitives.ReadUInt64LittleEndian(entry[32..])));
        }

        return found;
    }

    // The bytes at offset, or null when they are not all in the file or more than a section may be.
    private static byte[]? ReadAt(FileStream file, ulong offset, ulong count)
    {
        if (count > MaxSectionBytes || offset > (ulong)file.Length || count > (ulong)file.Length - offset)
        {
            return null;
        }

        var bytes = new byte[count];
        file.Position = (long)offset;
        file.ReadExactly(bytes);
        return bytes;
    }

    private static PodLaunchException Refused(string path, string why) => new($"guest kernel {path} {why}");
}
