using System.Reflection;
using SharpCompress.Common;
using SharpCompress.Common.Tar;

namespace FleetPods.NodeRuntime.Images;

/// <summary>What a tar entry is: the type flag that decides how (and whether) it is written.</summary>
public enum TarEntryKind
{
    File,
    Directory,
    SymbolicLink,
    HardLink,
    Device,
    Fifo,
    Other,
}

/// <summary>
/// Reads an entry's tar type flag. SharpCompress 0.50.8 parses it but does not expose it publicly
/// (symbolic and hard links both only show a LinkTarget), so it is read from the entry's parsed header;
/// if a later SharpCompress moves it, the class initializer fails loudly rather than mistaking links.
/// </summary>
public static class TarEntryKinds
{
    private static readonly FieldInfo FilePart = typeof(TarEntry).GetField("_filePart", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException("SharpCompress TarEntry no longer has _filePart");

    public static TarEntryKind Of(IEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry is not TarEntry tar)
        {
            return entry.IsDirectory ? TarEntryKind.Directory : TarEntryKind.File;
        }

        var part = FilePart.GetValue(tar)!;
        var header = part.GetType().GetProperty("Header", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)!.GetValue(part)!;
        var type = header.GetType().GetProperty("EntryType", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)!.GetValue(header)!.ToString();
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
