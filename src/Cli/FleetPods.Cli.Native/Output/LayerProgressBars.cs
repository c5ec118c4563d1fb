using System.Text.Json;
using Spectre.Console;

namespace FleetPods.Cli.Native.Output;

/// <summary>
/// A registry pull's progress as docker shows it: one bar per layer (its short digest, the try when a layer was
/// retried, bytes and speed), drawn by Spectre.Console on stderr while it is a terminal. Pipes get the API's NDJSON
/// untouched (<c>--output json</c>), and nothing is drawn.
/// </summary>
internal static class LayerProgressBars
{
    /// <summary>Runs <paramref name="body"/>, which hands each progress line of the API to the report it is given, under the bars.</summary>
    public static Task<T> Show<T>(Func<Action<JsonElement>, Task<T>> body)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async context =>
            {
                var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var result = await body(progress =>
                {
                    foreach (var layer in progress.Items("layers"))
                    {
                        var digest = layer.Text("digest", "");
                        var total = layer.Field("totalBytes") is { ValueKind: JsonValueKind.Number } size ? size.GetInt64() : (long?)null;
                        if (!bars.TryGetValue(digest, out var bar))
                        {
                            bar = bars[digest] = context.AddTask(Short(digest), maxValue: Math.Max(total ?? 1, 1));
                        }

                        var attempt = (int)layer.Number("attempt");
                        bar.Description = attempt > 1 ? $"{Short(digest)} (try {attempt})" : Short(digest);
                        bar.Value = layer.Number("receivedBytes");
                        if (total is null)
                        {
                            bar.IsIndeterminate = true;
                        }
                    }
                });

                // A pull that returned has every layer whole, and the API polls its progress (every 200 ms), so the
                // last line it sent may be from before the end: the bars end full, as docker's end "Pull complete".
                foreach (var bar in bars.Values)
                {
                    bar.IsIndeterminate = false;
                    bar.Value = bar.MaxValue;
                }

                return result;
            });
    }

    // As docker prints layers: the first 12 hex digits of the digest.
    private static string Short(string digest) => digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..] is { Length: >= 12 } hex ? hex[..12] : digest;
}
