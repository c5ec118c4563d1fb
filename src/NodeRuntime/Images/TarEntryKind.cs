namespace FleetPods.NodeRuntime.Images;

/// <summary>What a tar entry is: the type flag that decides how (and whether) it is written.</summary>
internal enum TarEntryKind
{
    File,
    Directory,
    SymbolicLink,
    HardLink,
    Device,
    Fifo,
    Other,
}
