using FleetPods.Grains;

namespace FleetPods.Silo.FrontDoor;

/// <summary>A submitted unit file the unit grain refused, with every error it found: HTTP 400 with the errors listed.</summary>
public sealed class UnitFileRejectedException : Exception
{
    public UnitFileRejectedException()
        : this(new SubmitResult("", []))
    {
    }

    public UnitFileRejectedException(string message)
        : base(message) => Result = new SubmitResult("", []);

    public UnitFileRejectedException(string message, Exception innerException)
        : base(message, innerException) => Result = new SubmitResult("", []);

    public UnitFileRejectedException(SubmitResult result)
        : base($"unit {result?.UnitName} is not valid: {result?.Errors.Count} error(s)") => Result = result!;

    public SubmitResult Result { get; }
}
