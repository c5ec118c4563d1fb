using System.Text.Json;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// The NDJSON answer of <c>run</c> and <c>enter</c>: a first line naming what runs (<c>{"pod"}</c> or
/// <c>{"session"}</c>, with <c>"input"</c> and <c>"terminal"</c> when it has them), then <c>{"output"}</c> as it
/// writes, <c>{"error"}</c> lines, and last <c>{"exitCode"}</c>. The output goes to standard output at the offset the
/// file shares with other writers (<see cref="StandardOutput"/>).
/// </summary>
internal static class ConsoleAnswer
{
    /// <summary>What the first line says runs.</summary>
    public sealed record Started(string Id, bool Input, bool Terminal);

    /// <summary>How the answer ended: with its exit code (<see cref="Answered"/>), or here, because the output could not be written.</summary>
    public sealed record Ending(int Code, bool Answered);

    /// <summary>Follows the answer to its end.</summary>
    /// <param name="idField">The first line's field: <c>pod</c> or <c>session</c>.</param>
    /// <param name="started">Told the first line.</param>
    /// <returns>
    /// The exit code the answer gives; or, leaving at once (the connection closed stops what runs), 141 when nobody
    /// reads the output any more (<c>| head</c>) and 1 when it cannot be written; null when the answer ended without one.
    /// </returns>
    public static async Task<Ending?> Follow(StreamReader lines, string idField, Action<Started> started)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(started);
        while (await lines.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var item = document.RootElement;
            if (item.Field("output") is { } output)
            {
                try
                {
                    if (!StandardOutput.TryWrite(output.GetBytesFromBase64()))
                    {
                        return new Ending(ExitCodes.BrokenPipe, Answered: false);
                    }
                }
                catch (IOException ex)
                {
                    await Console.Error.WriteLineAsync($"fleetpods: {ex.Message}");
                    return new Ending(ExitCodes.Failure, Answered: false);
                }
            }
            else if (item.Text(idField) is { } id)
            {
                started(new Started(id, item.Field("input") is { ValueKind: JsonValueKind.True }, item.Field("terminal") is { ValueKind: JsonValueKind.True }));
            }
            else if (item.Text("error") is { } error)
            {
                await Console.Error.WriteLineAsync($"fleetpods: {error}");
            }
            else if (item.Field("exitCode") is { ValueKind: JsonValueKind.Number } exitCode)
            {
                return new Ending(exitCode.GetInt32(), Answered: true);
            }
        }

        return null;
    }
}
