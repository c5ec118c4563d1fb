using System.Text.Json;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// The files of one pod on this node, shared with its supervisor: <c>pod.json</c> (what was launched),
/// <c>pid</c> ("shim-pid app-pid", written once the app's process is cloned), <c>exit</c> (its code), <c>failure</c> (why
/// it could not start; written by the supervisor, or by the runtime when the launch failed before the supervisor
/// could), <c>log</c> (its output), <c>stdin</c> (a FIFO, for a pod run with input and no terminal),
/// <c>sessions/ID/</c> (an enter session's <c>output</c> and <c>stdin</c>), and the rootfs layers.
/// </summary>
internal sealed record PodDirectory(string Root)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Record => Path.Combine(Root, "pod.json");

    public string Pid => Path.Combine(Root, "pid");

    /// <summary>The pod manifest every stage1 reads (see Manifest/PodManifest.cs and Native/manifest.c).</summary>
    public string Manifest => Path.Combine(Root, "manifest.json");

    public string Exit => Path.Combine(Root, "exit");

    public string Failure => Path.Combine(Root, "failure");

    /// <summary>Written by the supervisor when the pod's memory cgroup killed a process: the count of such kills.</summary>
    public string OutOfMemory => Path.Combine(Root, "oom");

    public string Log => Path.Combine(Root, "log");

    public string Stdin => Path.Combine(Root, "stdin");

    public string Upper => Path.Combine(Root, "upper");

    public string Work => Path.Combine(Root, "work");

    /// <summary>The overlay's mount point, or the copied tree when the pod runs without overlay.</summary>
    public string Rootfs => Path.Combine(Root, "rootfs");

    /// <summary>An empty volume's directory.</summary>
    public string Volume(string name) => Path.Combine(Root, "volumes", name);

    /// <summary>Where an app's rootfs layers live: the first app's in the pod's own directory, the others' under <c>app-layers/NAME</c>.</summary>
    public PodDirectory AppLayers(int index, string name) => index == 0 ? this : new PodDirectory(Path.Combine(Root, "app-layers", name));

    /// <summary>Pod ids become path components, so only [a-z0-9-] is accepted.</summary>
    public static bool IsValidId(string podId) =>
        podId.Length is > 0 and <= 64 && podId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>Records what was launched, whole or not at all: a restarted daemon reads it to give back what the pod holds.</summary>
    public Task WriteRecord(PodRecord record, CancellationToken cancellationToken) =>
        DurableFile.WriteAsync(Record, JsonSerializer.SerializeToUtf8Bytes(record, Json), cancellationToken);

    /// <summary>What was launched, or null when the pod's daemon stopped before recording it (or the record is unreadable).</summary>
    public PodRecord? ReadRecord()
    {
        try
        {
            return File.Exists(Record) ? JsonSerializer.Deserialize<PodRecord>(File.ReadAllBytes(Record), Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The pod's supervisor and app, once the app's process has been cloned.</summary>
    public PodProcesses? ReadProcesses()
    {
        if (!File.Exists(Pid))
        {
            return null;
        }

        var parts = File.ReadAllText(Pid).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 && int.TryParse(parts[0], out var shim) && int.TryParse(parts[1], out var app) ? new PodProcesses(shim, app) : null;
    }

    /// <summary>The pod's end as its supervisor recorded it, or null while it has not ended.</summary>
    public PodEnd? ReadEnd()
    {
        if (File.Exists(Failure))
        {
            return new PodEnd(PodPhase.Failed, null, File.ReadAllText(Failure).Trim(), File.Exists(OutOfMemory));
        }

        return File.Exists(Exit) && int.TryParse(File.ReadAllText(Exit).Trim(), out var code) ? new PodEnd(PodPhase.Exited, code, null, File.Exists(OutOfMemory)) : null;
    }
}
