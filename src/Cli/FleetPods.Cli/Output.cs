using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace FleetPods.Cli;

/// <summary>Writes results as a table for people or as JSON for scripts.</summary>
public sealed class Output(OutputFormat format)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private readonly IAnsiConsole console = CreateConsole();

    /// <summary>Writes <paramref name="rows"/> as a table, or <paramref name="data"/> as JSON.</summary>
    public void Write<T>(T data, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(data, JsonOptions));
            return;
        }

        var table = new Table().Border(TableBorder.None).HideRowSeparators();
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header.ToUpperInvariant()).NoWrap());
        }

        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(cell => new Text(cell))]);
        }

        console.Write(table);
    }

    /// <summary>Writes a message for people, or <paramref name="data"/> as JSON.</summary>
    public void Say<T>(T data, string message)
    {
        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(data, JsonOptions));
        }
        else
        {
            Console.Out.WriteLine(message);
        }
    }

    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        // Redirected output has no width; a script's pipe must not get cells wrapped at 80 columns.
        console.Profile.Width = Console.IsOutputRedirected ? 400 : Math.Max(Console.WindowWidth, 80);
        return console;
    }
}
