using FleetPods.Grains.UnitFiles;
using FleetPods.Security;

namespace FleetPods.Grains.Security;

/// <summary>
/// A call the caller's role does not allow (the front door answers 403): the message names the role needed and the
/// caller, e.g. "Volume=data kind=host needs the admin role (privileged pod); you are eve (operator)". Nothing was
/// changed. A refused submit also lists the unit file's lines at fault.
/// </summary>
[GenerateSerializer]
public sealed class AccessDeniedException : FleetPodsException
{
    public AccessDeniedException()
    {
    }

    public AccessDeniedException(string message)
        : base(message)
    {
    }

    public AccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AccessDeniedException(string message, Role needed, IReadOnlyList<UnitFileError>? errors = null)
        : base(message)
    {
        Needed = needed;
        Errors = errors ?? [];
    }

    /// <summary>The role the call needs.</summary>
    [Id(0)]
    public Role Needed { get; init; } = Role.Admin;

    /// <summary>For a refused submit, each unit-file line that made the pod privileged (file, line, key); else empty.</summary>
    [Id(1)]
    public IReadOnlyList<UnitFileError> Errors { get; init; } = [];
}
