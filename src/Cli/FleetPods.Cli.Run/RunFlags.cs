using System.CommandLine;
using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Cli;

/// <summary>
/// The flags of <c>fleetpods run</c>, as rkt's: each is the same value a unit file's <c>[Pod]</c> key takes, read by
/// the same syntax (<see cref="PodValueSyntax"/>), so a flag and a key mean the same and are refused in the same words.
/// Environment, user, group and mounts apply to every app of the pod.
/// </summary>
public sealed class RunFlags
{
    public Option<Stage1Flavor> Stage1 { get; } = new("--stage1") { Description = "ns (default), kvm or fly", DefaultValueFactory = _ => Stage1Flavor.Ns };

    public Option<bool?> PrivateUsers { get; } = new("--private-users") { Description = "Own user namespace, root inside an unused high id outside (default: true for stage1 ns; false shares the node's ids and needs admin)" };

    public Option<bool> NoOverlay { get; } = new("--no-overlay") { Description = "Copy the image's tree instead of an overlayfs over it" };

    public Option<PodNetwork?> Net { get; } = new("--net") { Description = "default (own address, NAT, ports), host or none (loopback only)" };

    public Option<string?> Memory { get; } = new("--memory") { Description = "Memory limit, e.g. 64M or 1Gi (base 1024)" };

    public Option<string?> Cpu { get; } = new("--cpu") { Description = "CPU limit, e.g. 500m, 0.5 or 2" };

    public Option<string[]> Volumes { get; } = new("--volume") { Description = "NAME,kind=host,source=/path[,readOnly=true] or NAME,kind=empty (repeatable)", Arity = ArgumentArity.ZeroOrMore };

    public Option<string[]> Mounts { get; } = new("--mount") { Description = "volume=NAME,target=/path, in every app (repeatable)", Arity = ArgumentArity.ZeroOrMore };

    public Option<string[]> Ports { get; } = new("--port") { Description = "NAME:HOSTPORT[:PODPORT]/tcp|udp (repeatable)", Arity = ArgumentArity.ZeroOrMore };

    public Option<string[]> Environment { get; } = new("--set-env") { Description = "NAME=VALUE for every app (repeatable)", Arity = ArgumentArity.ZeroOrMore };

    public Option<string?> User { get; } = new("--user") { Description = "User (name or id in the image's /etc/passwd) of every app" };

    public Option<string?> Group { get; } = new("--group") { Description = "Group (name or id) of every app" };

    public Option<bool> Interactive { get; } = new("--interactive", "-i") { Description = "Pass this command's input to the app's stdin (one app; not stage1 kvm)" };

    public Option<bool> Tty { get; } = new("--tty", "-t") { Description = "Give the app a terminal that follows this command's (one app; not stage1 kvm)" };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { Stage1, PrivateUsers, NoOverlay, Net, Memory, Cpu, Volumes, Mounts, Ports, Environment, User, Group, Interactive, Tty })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The pod the flags describe: <paramref name="images"/>[0] is the pod's app (running <paramref name="exec"/>), the others more apps running their own exec.</summary>
    /// <exception cref="CliException">A flag's value is not valid, or the pod it describes is not (<see cref="PodValidator"/>); the message names the flag.</exception>
    public PodSpec ToSpec(ParseResult parse, IReadOnlyList<string> images, IReadOnlyList<string>? exec)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(images);
        var given = new Given(
            parse.GetValue(Environment) ?? [],
            parse.GetValue(Volumes) ?? [],
            parse.GetValue(Mounts) ?? [],
            parse.GetValue(Ports) ?? []);
        var environment = Environments(given.Environment);
        var mounts = Parse(given.Mounts, "--mount", (string text, out MountSpec? mount, out string? error) => PodValueSyntax.TryParseMount(text, out mount, out error));
        var user = parse.GetValue(User);
        var group = parse.GetValue(Group);
        var names = new HashSet<string>(["app"], StringComparer.Ordinal);
        var apps = images.Skip(1)
            .Select(image => new AppSection(0, AppName(image, names), image, null, environment, null, user, group, mounts))
            .ToArray();
        var stage1 = parse.GetValue(Stage1);
        var pod = PodSpec.ForImage(images[0], exec, stage1).Pod;
        pod = pod with
        {
            Environment = environment,
            User = user,
            Group = group,
            MemoryBytes = parse.GetValue(Memory) is { } memory ? Size(memory) : null,
            CpuMillis = parse.GetValue(Cpu) is { } cpu ? Millis(cpu) : null,
            PrivateUsers = parse.GetValue(PrivateUsers) ?? pod.PrivateUsers,
            Overlay = !parse.GetValue(NoOverlay),
            Volumes = Parse(given.Volumes, "--volume", (string text, out VolumeSpec? volume, out string? error) => PodValueSyntax.TryParseVolume(text, out volume, out error)),
            Mounts = mounts,
            Ports = Parse(given.Ports, "--port", (string text, out PortSpec? port, out string? error) => PodValueSyntax.TryParsePort(text, out port, out error)),
            Apps = apps,
            Network = parse.GetValue(Net) ?? pod.Network,
        };
        var console = parse.GetValue(Interactive) || parse.GetValue(Tty)
            ? new PodConsole(parse.GetValue(Interactive), parse.GetValue(Tty) ? TerminalSize.Default : null)
            : null;
        var spec = new PodSpec(null, pod) { Console = console };
        if (PodValidator.Validate(spec) is [var problem, ..])
        {
            throw new CliException($"{Flag(problem, given, pod, images, console)}: {problem.Message}");
        }

        return spec;
    }

    // The words the caller typed, which a problem's index points into.
    private sealed record Given(string[] Environment, string[] Volumes, string[] Mounts, string[] Ports);

    // What the caller typed that gave the refused field.
    private static string Flag(PodProblem problem, Given given, PodSection pod, IReadOnlyList<string> images, PodConsole? console) => problem.Field switch
    {
        PodField.Image => $"image '{(problem.App is { } app ? pod.Apps.First(a => a.Name == app).Image : pod.Image)}'",
        PodField.Exec => "the command after --",
        PodField.Environment => $"--set-env '{given.Environment.Last(text => text.StartsWith(pod.Environment[problem.Index].Name + "=", StringComparison.Ordinal))}'",
        PodField.Volume => $"--volume '{Item(given.Volumes, problem.Index)}'",
        PodField.Mount => $"--mount '{Item(given.Mounts, problem.Index)}'",
        PodField.Port => $"--port '{Item(given.Ports, problem.Index)}'",
        PodField.Network => $"--net {pod.Network.ToString().ToLowerInvariant()}",
        PodField.PrivateUsers => "--private-users",
        PodField.User => "--user",
        PodField.Group => "--group",
        PodField.Memory => "--memory",
        PodField.Cpu => "--cpu",
        PodField.Console => console is { Input: true } ? "--interactive" : "--tty",
        _ => $"{images.Count} images",
    };

    private static string Item(string[] given, int index) => index >= 0 && index < given.Length ? given[index] : "";

    // Environment as a unit file's Environment= lines give it: a later NAME=value wins, keeping the first one's place.
    private static EnvironmentVariable[] Environments(string[] given)
    {
        var variables = new List<EnvironmentVariable>();
        foreach (var variable in given.Select(ParseEnvironment))
        {
            var existing = variables.FindIndex(v => v.Name == variable.Name);
            if (existing >= 0)
            {
                variables[existing] = variable;
            }
            else
            {
                variables.Add(variable);
            }
        }

        return [.. variables];
    }

    private delegate bool Parser<T>(string text, out T? value, out string? error);

    private static T[] Parse<T>(string[] values, string flag, Parser<T> parser)
        where T : class =>
        [.. values.Select(text => parser(text, out var value, out var error) ? value! : throw new CliException($"{flag} '{text}': {error}"))];

    private static EnvironmentVariable ParseEnvironment(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? new EnvironmentVariable(text[..equals], text[(equals + 1)..]) : throw new CliException($"--set-env '{text}': expected NAME=VALUE");
    }

    private static long Size(string text) =>
        PodValueSyntax.TryParseMemory(text, out var bytes, out var error) ? bytes : throw new CliException($"--memory '{text}': {error}");

    private static int Millis(string text) =>
        PodValueSyntax.TryParseCpu(text, out var millis, out var error) ? millis : throw new CliException($"--cpu '{text}': {error}");

    // An app is named after its image's last path segment (example.com/redis:7 -> redis), made unique in the pod.
    private static string AppName(string image, HashSet<string> taken)
    {
        var segment = image.Split('/')[^1].Split(':')[0].ToLowerInvariant();
        var name = PodValueSyntax.IsValidName(segment) ? segment : "app";
        for (var i = 2; !taken.Add(name); i++)
        {
            name = PodValueSyntax.IsValidName(segment) ? $"{segment}-{i}" : $"app-{i}";
        }

        return name;
    }
}
