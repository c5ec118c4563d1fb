using System.Reflection;
using SharpCompress.Common;
using SharpCompress.Common.Tar;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Reads an entry's tar type flag. SharpCompress 0.50.8 parses it but does not expose it publicly
/// (symbolic and hard links both only show a LinkTarget), so it is read from the entry's parsed header;
/// if a later SharpCompress moves it, the class initializer fails (and with it every import) rather than
/// mistaking one kind of link for another.
/// </summary>
internal static class TarEntryKinds
{
    private const BindingFlags Members = BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance;

    private static readonly FieldInfo FilePart = typeof(TarEntry).GetField("_filePart", Members)
        ?? throw new MissingFieldException("SharpCompress TarEntry no longer has _filePart");

    private static readonly PropertyInfo Header = FilePart.FieldType.GetProperty("Header", Members)
        ?? throw new MissingMemberException("SharpCompress TarFilePart no longer has Header");

    private static readonly PropertyInfo EntryType = Header.PropertyType.GetProperty("EntryType", Members)
        ?? throw new MissingMemberException("SharpCompress TarHeader no longer has EntryType");

    public static TarEntryKind Of(IEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry is not TarEntry tar)
        {
            return entry.IsDirectory ? TarEntryKind.Directory : TarEntryKind.File;
        }

        var type = EntryType.GetValue(Header.GetValue(FilePart.GetValue(tar)))?.ToString();
        return type switch
        {
            "File" or "OldFile" or "ContiguousFile" => TarEntryKind.File,
            "Directory" => TarEntryKind.Directory,
            "SymLink" => TarEntryKind.SymbolicLink,
            "HardLink" => TarEntryKind.HardLink,
            "CharDevice" or "BlockDevice" => TarEntryKind.Device,
            "Fifo" => TarEntryKind.Fifo,
            _ => TarEntryKind.Other,
        };
    }
}
