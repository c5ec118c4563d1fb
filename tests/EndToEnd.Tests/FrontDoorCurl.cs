using System.Diagnostics;
using System.Text.Json;

namespace FleetPods.EndToEnd.Tests;

/// <summary>Real curl against a daemon's API socket, as root or as another user (runuser), as people and scripts call it.</summary>
public sealed class FrontDoorCurl(FleetPodsDaemon daemon)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);
    private const string StatusMarker = "\nHTTP-STATUS:";
    private const int CouldNotConnect = 7;
    private const string Directory = "/run/fleetpods";
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    public string Socket => $"/run/fleetpods/api-{daemon.ApiPort}.sock";

    /// <summary>Waits until the daemon opened its API socket to every local user.</summary>
    public async Task WaitUntilServed()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!daemon.Log.Contains($"API served on {Socket}", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the API socket was never opened:\n{daemon.Log}");
            await Task.Delay(100);
        }
    }

    /// <param name="user">The user curl runs as (runuser), or null for root.</param>
    public async Task<Answer> Call(string? user, string method, string path, string? body = null)
    {
        string[] curl = ["curl", "-sS", "--unix-socket", Socket, "-X", method, "-w", StatusMarker + "%{http_code}", .. body is null ? Array.Empty<string>() : ["--data-binary", body], $"http://localhost{path}"];
        CommandResult result;
        var attempts = 0;
        do
        {
            OpenDirectory();
            result = user is null
                ? await Processes.Run(curl[0], curl[1..], Within)
                : await Processes.Run("runuser", ["-u", user, "--", .. curl], Within);
        }
        while (result.ExitCode == CouldNotConnect && user is not null && File.GetUnixFileMode(Directory) != DirectoryMode && ++attempts < 10);

        Assert.True(result.ExitCode == 0, result.ToString());
        var marker = result.Stdout.LastIndexOf(StatusMarker, StringComparison.Ordinal);
        return new Answer(int.Parse(result.Stdout[(marker + StatusMarker.Length)..], System.Globalization.CultureInfo.InvariantCulture), result.Stdout[..marker]);
    }

    /// <summary>A run's NDJSON stream, read as it comes: curl stays running until the caller kills it or the stream ends.</summary>
    public Process StartRun(string? user, params string[] arguments)
    {
        OpenDirectory();
        var body = JsonSerializer.Serialize(new { arguments });
        string[] curl = ["curl", "-sS", "-N", "--unix-socket", Socket, "-X", "POST", "--data-binary", body, "http://localhost/v1/run"];
        var start = new ProcessStartInfo(user is null ? curl[0] : "runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var word in user is null ? curl[1..] : ["-u", user, "--", .. curl])
        {
            start.ArgumentList.Add(word);
        }

        return Process.Start(start)!;
    }

    // A fleetpodsd built before the API (the suite of an older tree, running on the same machine) makes the shared
    // directory 0700 at each start; the daemon under test made it 0755 and would again at its next start.
    private static void OpenDirectory()
    {
        if (File.GetUnixFileMode(Directory) != DirectoryMode)
        {
            File.SetUnixFileMode(Directory, DirectoryMode);
        }
    }

    /// <summary>An HTTP status and the body that came with it.</summary>
    public sealed record Answer(int Status, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public string Error => Json.GetProperty("error").GetString()!;

        /// <summary>The lines of an NDJSON body.</summary>
        public IReadOnlyList<JsonElement> Lines => [.. Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

        public override string ToString() => $"{Status} {Body}";
    }
}
