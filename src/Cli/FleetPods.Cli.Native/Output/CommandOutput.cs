using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FleetPods.Cli.Native.Output;

/// <summary>Writes a command's result: a table or a message for people, or the API's JSON (indented) for scripts.</summary>
internal sealed class CommandOutput(OutputFormat format, TextWriter writer)
{
    public bool IsJson => format == OutputFormat.Json;

    /// <summary>Rows as a table, or <paramref name="data"/> as JSON.</summary>
    public void Table(JsonNode? data, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (IsJson)
        {
            WriteJson(data);
            return;
        }

        writer.Write(ColumnWriter.Render(headers, rows));
    }

    /// <summary>A message for people, or <paramref name="data"/> as JSON.</summary>
    public void Say(JsonNode? data, string message)
    {
        if (IsJson)
        {
            WriteJson(data);
        }
        else
        {
            writer.WriteLine(message);
        }
    }

    public void WriteJson(JsonNode? data)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            if (data is null)
            {
                json.WriteNullValue();
            }
            else
            {
                data.WriteTo(json);
            }
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The API's answer as a node this output can write.</summary>
    public static JsonNode? Node(JsonElement json) => json.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(json.GetRawText());
}
