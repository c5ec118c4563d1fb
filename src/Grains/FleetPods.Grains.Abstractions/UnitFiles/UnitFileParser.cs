using System.Text;

namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// Reads <c>.pod</c> unit files: systemd-style INI with <c>[Unit]</c>, <c>[Pod]</c> and <c>[X-Fleet]</c>
/// sections. Every error is collected, each naming file, line and key; any error means no unit.
/// Values keep their specifiers unexpanded (see <see cref="UnitSpecifiers"/>).
/// </summary>
public static class UnitFileParser
{
    /// <summary>The largest file accepted, in UTF-8 bytes (systemd's own limit on a unit file's line).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private const string Sections = "[Unit], [Pod], [App NAME] or [X-Fleet]";

    /// <summary>Parses a unit file.</summary>
    /// <param name="fileName">The file as the user named it, path allowed; its file name part is the unit's name.</param>
    /// <param name="text">The file's contents.</param>
    public static UnitFileParseResult Parse(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(text);
        var errors = new UnitFileErrorList(fileName);
        var unitName = Path.GetFileName(fileName);
        if (!UnitName.TryParse(unitName, out _, out var nameError))
        {
            errors.Add(0, "", nameError!);
        }

        return ParseAs(unitName, text, errors);
    }

    /// <summary>Parses a template's text as one of its instances, whose name the unit then carries.</summary>
    /// <param name="templateFileName">The template's file as submitted, e.g. <c>web@.pod</c>; errors name it.</param>
    /// <param name="templateText">The template's contents.</param>
    /// <param name="instanceName">The instance's unit name, e.g. <c>web@1.pod</c>.</param>
    public static UnitFileParseResult ParseInstance(string templateFileName, string templateText, string instanceName)
    {
        ArgumentNullException.ThrowIfNull(templateFileName);
        ArgumentNullException.ThrowIfNull(templateText);
        ArgumentNullException.ThrowIfNull(instanceName);
        var errors = new UnitFileErrorList(templateFileName);
        var templateName = Path.GetFileName(templateFileName);
        if (!UnitName.TryParse(templateName, out var template, out var templateError))
        {
            errors.Add(0, "", templateError!);
        }
        else if (!template!.IsTemplate)
        {
            errors.Add(0, "", $"'{ErrorText.Quote(templateName)}' is not a template (e.g. web@.pod)");
        }
        else if (!UnitName.TryParse(instanceName, out var instance, out var instanceError))
        {
            errors.Add(0, "", instanceError!);
        }
        else if (instance!.Instance is not { Length: > 0 } || instance.Prefix != template.Prefix)
        {
            errors.Add(0, "", $"'{ErrorText.Quote(instanceName)}' is not an instance of {templateName} (e.g. {template.Prefix}@1{UnitName.Suffix})");
        }

        return ParseAs(instanceName, templateText, errors);
    }

    private static UnitFileParseResult ParseAs(string unitName, string text, UnitFileErrorList errors)
    {
        if (!CheckText(ref text, errors))
        {
            return new UnitFileParseResult(null, errors.ToArray());
        }

        var unit = new UnitSectionBuilder(errors);
        var pod = new PodSectionBuilder(errors);
        var fleet = new FleetSectionBuilder(errors);
        var apps = new List<PodSectionBuilder>();
        Action<Assignment>? section = null;
        var seenHeader = false;
        foreach (var statement in UnitFileReader.Read(text, errors))
        {
            switch (statement)
            {
                case SectionHeader header:
                    seenHeader = true;
                    section = header.Name switch
                    {
                        "Unit" => unit.Apply,
                        "Pod" => pod.Open(header.Line),
                        "X-Fleet" => fleet.Apply,
                        _ when header.Name.StartsWith("App ", StringComparison.Ordinal) => OpenApp(header, apps, errors),
                        _ => null,
                    };
                    if (section is null && !header.Name.StartsWith("App ", StringComparison.Ordinal))
                    {
                        // One error for the section; its keys are skipped, not reported one by one.
                        errors.Add(header.Line, "", $"unknown section [{ErrorText.Quote(header.Name)}] (expected {Sections})");
                    }

                    break;
                case Assignment assignment when section is not null:
                    section(assignment);
                    break;
                case Assignment assignment when !seenHeader:
                    errors.Add(assignment.Line, assignment.Key, $"{ErrorText.Quote(assignment.Key)}= comes before any section header (expected {Sections} first)");
                    break;
                default:
                    break;
            }
        }

        var podSection = pod.Build(apps);
        if (podSection is not null)
        {
            foreach (var problem in PodValidator.Validate(new PodSpec(unitName, podSection)))
            {
                pod.Report(problem, apps);
            }
        }

        var fleetSection = fleet.Build(unitName, pod.CountAssignment);
        return podSection is not null && errors.IsEmpty
            ? new UnitFileParseResult(new UnitFile(unitName, unit.Description, podSection, fleetSection), [])
            : new UnitFileParseResult(null, errors.ToArray());
    }

    // [App NAME]: a new app, or the same one again (its keys merge, as repeated [Pod] headers do). A bad name
    // is reported once and its keys skipped.
    private static Action<Assignment>? OpenApp(SectionHeader header, List<PodSectionBuilder> apps, UnitFileErrorList errors)
    {
        var name = header.Name["App ".Length..];
        if (!AcName.IsValid(name) || name == "app")
        {
            errors.Add(header.Line, "", $"invalid app name '{ErrorText.Quote(name)}' in [App NAME] ({AcName.Rule}; 'app' is the [Pod] section's own)");
            return null;
        }

        var app = apps.Find(a => a.AppName == name);
        if (app is null)
        {
            app = new PodSectionBuilder(errors, name);
            apps.Add(app);
        }

        return app.Open(header.Line);
    }

    // Whole-file problems end the parse: a binary or huge file would only add noise line by line.
    private static bool CheckText(ref string text, UnitFileErrorList errors)
    {
        if (text.Length > MaxFileBytes || Encoding.UTF8.GetByteCount(text) > MaxFileBytes)
        {
            errors.Add(0, "", $"file is larger than {MaxFileBytes / 1024 / 1024} MiB");
            return false;
        }

        // File.ReadAllText drops a UTF-8 byte order mark; other readers may leave it in.
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var problem = c switch
            {
                '\n' => null,
                '\0' => "file contains a NUL byte: not a text file",
                // Decoders put U+FFFD where bytes were not UTF-8; lone surrogates cannot be encoded as UTF-8 at all.
                '\uFFFD' => "file is not valid UTF-8 text (it holds bytes that decoded to U+FFFD)",
                _ when char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) => null,
                _ when char.IsSurrogate(c) => "file is not valid UTF-8 text (it holds an unpaired UTF-16 surrogate)",
                _ => null,
            };
            if (problem is not null)
            {
                errors.Add(line, "", problem);
                return false;
            }

            if (c == '\n')
            {
                line++;
            }
            else if (char.IsHighSurrogate(c))
            {
                i++;
            }
        }

        return true;
    }
}
