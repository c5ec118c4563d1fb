using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace FleetPods.Cli.Native.Images;

/// <summary>
/// docker's credential helpers (<c>credsStore</c>, <c>credHelpers</c> in config.json): <c>docker-credential-NAME get</c>,
/// found on the PATH and run as the caller, told the registry's server URL on stdin, answers
/// <c>{"ServerURL", "Username", "Secret"}</c> on stdout. A helper that has nothing for the registry exits non-zero;
/// docker then pulls without credentials, and so does this, saying so on stderr.
/// </summary>
internal static class DockerCredentialHelper
{
    private const int MaxAnswerChars = 64 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The user name and password the helper holds for <paramref name="serverUrl"/>, or null when it has none.</summary>
    /// <exception cref="CliException">The helper's name is not one, it is not installed, hangs, or answers what is not its protocol.</exception>
    public static (string Username, string Password)? Get(string name, string serverUrl, string where)
    {
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new CliException($"{where}: '{name}' is not a credential helper's name (docker-credential-NAME)");
        }

        var program = $"docker-credential-{name}";
        var start = new ProcessStartInfo(program, ["get"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        Process helper;
        try
        {
            helper = Process.Start(start) ?? throw new CliException($"{where}: cannot start {program}");
        }
        catch (Win32Exception ex)
        {
            throw new CliException($"{where} names the credential helper {program}, which cannot be run: {ex.Message}");
        }

        using (helper)
        {
            var stdout = helper.StandardOutput.ReadToEndAsync();
            var stderr = helper.StandardError.ReadToEndAsync();
            try
            {
                helper.StandardInput.Write(serverUrl);
                helper.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper ended without reading what it was asked: its exit code and output say the rest.
            }

            if (!helper.WaitForExit(Timeout))
            {
                helper.Kill(entireProcessTree: true);
                throw new CliException($"{program} get did not answer within {Timeout.TotalSeconds:0} s for {serverUrl}");
            }

            if (helper.ExitCode != 0)
            {
                var why = (stderr.Result.Length > 0 ? stderr.Result : stdout.Result).Split('\n')[0].Trim();
                Console.Error.WriteLine($"fleetpods: {program} has no credentials for {serverUrl} ({why}); going on without");
                return null;
            }

            return Parse(stdout.Result, program, serverUrl);
        }
    }

    private static (string, string) Parse(string answer, string program, string serverUrl)
    {
        try
        {
            if (answer.Length > MaxAnswerChars)
            {
                throw new CliException($"{program} get answered more than {MaxAnswerChars} characters for {serverUrl}");
            }

            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            var username = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            var secret = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return (username, secret) switch
            {
                ("<token>", _) => throw new CliException($"{program} holds an identity token for {serverUrl}, which FleetPods does not use; log in with a user name and password"),
                ({ Length: > 0 } user, { } password) => (user, password),
                _ => throw new CliException($"{program} get answered no Username and Secret for {serverUrl}"),
            };
        }
        catch (JsonException ex)
        {
            throw new CliException($"{program} get answered what is not JSON for {serverUrl}: {ex.Message.Split('\n')[0]}");
        }
    }
}
