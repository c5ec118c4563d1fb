namespace FleetPods.NodeRuntime.Images;

/// <summary>A server's answer worth retrying (408, 429, 5xx): it says nothing about the image, only about the moment.</summary>
internal sealed class TransientStatusException(string message) : Exception(message)
{
    public static bool IsTransient(System.Net.HttpStatusCode status) =>
        status is System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests || (int)status >= 500;
}
