using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FleetPods.Cli.Native.Api;
using FleetPods.Cli.Native.Images;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// <c>image fetch URL</c>: the node downloads (with retries and resumption) and imports; the API streams its progress
/// as NDJSON, shown on stderr when that is a terminal, and ends with the image or the error. For a <c>docker://</c>
/// reference the caller's credentials for that registry (<see cref="DockerCredentials"/>) and the CA file are read
/// here and sent: the daemon never reads a file the caller names.
/// </summary>
internal static class ImageFetch
{
    public static Command Create(Option<string?> node)
    {
        var url = new Argument<string>("url")
        {
            Description = "http://, https:// or file:// URL of an image archive (file:// on that node), docker://HOST[:PORT]/REPO[:TAG|@DIGEST] (oci:// alike) of a registry's image, or an AppC name to discover (example.com/app:1.0,os=linux)",
        };
        var (reference, name, digest) = ImageCommands.ImportOptions();
        var credsFile = new Option<string?>("--creds-file") { Description = "The docker config to take the registry's credentials from (default: $DOCKER_CONFIG/config.json, ~/.docker/config.json)" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM CA certificate(s) the registry's or discovery server's certificate must chain to, instead of the system's" };
        var insecure = new Option<bool>("--insecure") { Description = "Pull from the registry over plain HTTP" };
        var insecureOptions = new Option<string[]>("--insecure-options")
        {
            Description = "'image': store an image fetched over the network without checking its signature (as rkt's)",
            CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
        };
        insecureOptions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string[]>() is { } values && values.FirstOrDefault(v => v != "image") is { } unknown)
            {
                result.AddError($"--insecure-options: '{unknown}' is not known; only 'image' is (plain HTTP to a registry is --insecure, a private CA --ca-file)");
            }
        });
        var command = new Command("fetch", "Download an image into a node's store, with retries and resumption") { url, node, reference, name, digest, credsFile, caFile, insecure, insecureOptions };
        command.SetApiAction(async (context, cancellationToken) =>
        {
            var address = context.Parse.GetValue(url)!;
            var registry = address.StartsWith("docker://", StringComparison.Ordinal) || address.StartsWith("oci://", StringComparison.Ordinal);
            var credentials = registry ? DockerCredentials.Find(DockerCredentials.RegistryOf(address), context.Parse.GetValue(credsFile)) : null;
            var ca = context.Parse.GetValue(caFile) is { } caPath ? ReadCaFile(caPath) : null;
            var body = ApiClient.Json(json =>
            {
                json.WriteStartObject();
                json.WriteString("url", address);
                json.WriteString("ref", context.Parse.GetValue(reference));
                json.WriteString("name", context.Parse.GetValue(name));
                json.WriteString("digest", context.Parse.GetValue(digest));
                if (credentials is var (user, password))
                {
                    json.WriteStartObject("auth");
                    json.WriteString("username", user);
                    json.WriteString("password", password);
                    json.WriteEndObject();
                }

                if (ca is not null)
                {
                    json.WriteString("caCertificates", ca);
                }

                if (context.Parse.GetValue(insecure))
                {
                    json.WriteBoolean("insecure", true);
                }

                if (context.Parse.GetValue(insecureOptions) is { Length: > 0 } options)
                {
                    json.WriteStartArray("insecureOptions");
                    foreach (var option in options.Distinct(StringComparer.Ordinal))
                    {
                        json.WriteStringValue(option);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            });
            var request = new HttpRequestMessage(HttpMethod.Post, $"v1/images/fetch{ApiClient.Query(("node", context.Parse.GetValue(node)))}") { Content = body };
            using var response = await context.Api.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            JsonElement image;
            var onTerminal = !Console.IsErrorRedirected && !context.Output.IsJson;
            if (onTerminal && registry)
            {
                image = await LayerProgressBars.Show(report => ReadAnswer(lines, context.Api.Address, report, cancellationToken));
            }
            else
            {
                var progress = onTerminal ? new ProgressLine(Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file" ? Path.GetFileName(uri.AbsolutePath) : address) : null;
                try
                {
                    image = await ReadAnswer(lines, context.Api.Address, now => progress?.Show(now.Number("receivedBytes"), now.Field("totalBytes")?.GetInt64(), (int)now.Number("attempt")), cancellationToken);
                }
                finally
                {
                    progress?.Finish();
                }
            }

            context.Output.Say(CommandOutput.Node(image), $"{image.Text("digest")}\t{image.Text("name")}");
            return ExitCodes.Success;
        });
        return command;
    }

    // The NDJSON answer: progress lines handed to `report`, then the image, or the error as a CliException.
    private static async Task<JsonElement> ReadAnswer(StreamReader lines, string daemon, Action<JsonElement> report, CancellationToken cancellationToken)
    {
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var item = document.RootElement;
            if (item.Field("error") is { } error)
            {
                throw new CliException(error.GetString() ?? "the fetch failed");
            }

            if (item.Field("image") is { } image)
            {
                return image.Clone();
            }

            if (item.Field("progress") is { } now)
            {
                report(now);
            }
        }

        throw new CliException($"fleetpodsd at {daemon} ended the fetch without an image or an error");
    }

    internal static string ReadCaFile(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--ca-file {path}: {ex.Message}");
        }

        return pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) ? pem : throw new CliException($"--ca-file {path}: no PEM certificate in it");
    }

    /// <summary>One line on a terminal's stderr, redrawn in place: name, percentage, bytes, attempt.</summary>
    private sealed class ProgressLine(string name)
    {
        private bool shown;

        public void Show(long received, long? total, int attempt)
        {
            var percent = total is > 0 ? string.Create(CultureInfo.InvariantCulture, $"{100 * received / total.Value,3}% ") : "";
            var of = total is { } all ? $"/{ByteCount.Format(all)}" : "";
            var retry = attempt > 1 ? string.Create(CultureInfo.InvariantCulture, $" (try {attempt})") : "";
            Console.Error.Write($"\r\u001b[K{name}{retry} {percent}{ByteCount.Format(received)}{of}");
            shown = true;
        }

        public void Finish()
        {
            if (shown)
            {
                Console.Error.WriteLine();
                shown = false;
            }
        }
    }
}
