using System.CommandLine;
using System.Security.Authentication;
using System.Text.Json;
using FleetPods.Cli.Native.Addressing;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native;

/// <summary>Runs a command's body against the API and turns every failure into one line on stderr and exit 1.</summary>
internal static partial class CommandRunner
{
    public static void SetApiAction(this Command command, Func<CommandContext, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            ServerCertificateCheck? check = null;
            string? address = null;
            try
            {
                var endpoints = Endpoints(parse.GetValue(GlobalOptions.Endpoint), Environment.GetEnvironmentVariable("FLEETPODS_ADDR"));
                var credentials = ClientCredentials.From(
                    parse.GetValue(GlobalOptions.ClientCertificate), parse.GetValue(GlobalOptions.ClientKey), parse.GetValue(GlobalOptions.CaCertificate),
                    Environment.GetEnvironmentVariable, GetEffectiveUserId() == 0);
                var (api, serverCheck) = await ApiConnection.Open(endpoints, credentials, ApiEndpoint.SocketDirectory, cancellationToken);
                check = serverCheck;
                address = api.Address;
                using (api)
                {
                    var output = new CommandOutput(parse.GetValue(GlobalOptions.Output), Console.Out);
                    return await body(new CommandContext(parse, api, output), cancellationToken);
                }
            }
            catch (Exception ex) when (Describe(ex, address, check) is { } line)
            {
                await Console.Error.WriteLineAsync($"fleetpods: {line}");
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Interrupted;
            }
        });
    }

    /// <summary>The endpoints to try: the options, else <c>$FLEETPODS_ADDR</c> (comma-separated), else the default.</summary>
    public static IReadOnlyList<ApiEndpoint> Endpoints(string[]? given, string? environment)
    {
        var texts = given is { Length: > 0 } ? given
            : environment is { Length: > 0 } ? environment.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [GlobalOptions.DefaultEndpoint];
        return [.. texts.Select(ApiEndpoint.Parse)];
    }

    /// <summary>The line for a person, or null for a cancellation (exit 130). Never a stack trace.</summary>
    public static string? Describe(Exception exception, string? address, ServerCertificateCheck? check) => exception switch
    {
        OperationCanceledException => null,
        CliException or ApiException => exception.Message,
        HttpRequestException when check?.Refusal is { } refusal => $"refused fleetpodsd at {address}: {refusal}",
        HttpRequestException { InnerException: AuthenticationException tls } => $"the TLS handshake with fleetpodsd at {address} failed (is your client certificate one of the cluster CA's, valid and not revoked?): {FirstLine(tls.Message)}",
        HttpRequestException http => $"lost fleetpodsd at {address}: {FirstLine(http.InnerException?.Message ?? http.Message)}",
        IOException io => $"lost fleetpodsd at {address}: {FirstLine(io.Message)}",
        JsonException => $"fleetpodsd at {address} answered something that is not the API's JSON",
        _ => $"{exception.GetType().Name}: {FirstLine(exception.Message)}",
    };

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
