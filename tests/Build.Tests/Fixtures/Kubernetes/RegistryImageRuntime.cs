using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>
/// The node's container runtime for the registry image and the Redis image: their <c>registry</c> and
/// <c>redis-cli</c> are Debian's docker-registry and redis-cli, run here as processes under the host's sh. What the pod mounts becomes local folders (a ConfigMap's or Secret's keys as files, a claim as
/// the folder <see cref="Claims"/> gives it), the command line's paths under a mount point are mapped to them as a
/// mount namespace would, and the environment is the container's with each secretKeyRef read from the cluster.
/// </summary>
public sealed class RegistryImageRuntime(ObjectStore store)
{
    private static readonly ResourceType ConfigMap = ResourceCatalogue.OfKind("v1", "ConfigMap");
    private static readonly ResourceType Secret = ResourceCatalogue.OfKind("v1", "Secret");

    private const string Busybox = "/usr/bin/busybox";

    /// <summary>Each claim's volume on the node, by claim name.</summary>
    public Dictionary<string, string> Claims { get; } = [];

    /// <summary>The command lines run, as the container gave them (before mapping), for tests that check them.</summary>
    public List<IReadOnlyList<string>> CommandLines { get; } = [];

    public async Task<int> RunAsync(ContainerRun run)
    {
        using var scratch = new TemporaryDirectory();
        var volumes = (run.Pod["spec"]!["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(volume => volume["name"]!.GetValue<string>());
        var mounts = new List<(string MountPath, string Local)>();
        foreach (var mount in (run.Container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var volume = volumes[mount["name"]!.GetValue<string>()];
            mounts.Add((mount["mountPath"]!.GetValue<string>().TrimEnd('/'), Mount(volume, scratch)));
        }

        string Map(string text) => mounts.Where(mount => text == mount.MountPath || text.StartsWith(mount.MountPath + "/", StringComparison.Ordinal))
            .Select(mount => mount.Local + text[mount.MountPath.Length..]).FirstOrDefault() ?? text;

        var commandLine = (run.Container["command"] as JsonArray ?? []).Concat(run.Container["args"] as JsonArray ?? []).Select(part => part!.GetValue<string>()).ToList();
        CommandLines.Add(commandLine);
        var bin = Directory.CreateDirectory(Path.Combine(scratch.Path, "bin")).FullName;
        // The images' binaries: the registry's, redis-cli of the Redis image (Debian's redis-tools), and the Alpine
        // base both have, whose sh and tools are busybox's.
        File.CreateSymbolicLink(Path.Combine(bin, "registry"), RealRegistry.Binary);
        File.CreateSymbolicLink(Path.Combine(bin, "redis-cli"), "/usr/bin/redis-cli");
        foreach (var applet in new[] { "sh", "find", "stat", "awk", "xargs", "wc", "echo" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, applet), Busybox);
        }

        var start = new ProcessStartInfo(commandLine[0] == "/bin/sh" ? Path.Combine(bin, "sh") : Map(commandLine[0])) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var part in commandLine.Skip(1))
        {
            start.ArgumentList.Add(Map(part));
        }

        start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
        // Set on these machines, it makes the AWS SDK inside the registry panic at start.
        start.Environment.Remove("AWS_CA_BUNDLE");
        foreach (var variable in (run.Container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            start.Environment[variable["name"]!.GetValue<string>()] = variable["value"]?.GetValue<string>() ?? FromSecret(run.Namespace, variable["valueFrom"]!["secretKeyRef"]!);
        }

        // The config names the claim's mount point as the store's root; the process sees the claim's folder there.
        if (mounts.FirstOrDefault(mount => mount.MountPath == "/var/lib/registry") is { Local: { } root })
        {
            start.Environment["REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"] = root;
        }

        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { run.WriteLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { run.WriteLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private string Mount(JsonObject volume, TemporaryDirectory scratch)
    {
        if (volume["persistentVolumeClaim"]?["claimName"]?.GetValue<string>() is { } claim)
        {
            return Claims.TryGetValue(claim, out var folder) ? folder : throw new InvalidOperationException($"claim {claim} has no volume on the node");
        }

        var folderOf = Directory.CreateDirectory(Path.Combine(scratch.Path, "volumes", volume["name"]!.GetValue<string>())).FullName;
        var ns = "docker-registry";
        if (volume["configMap"]?["name"]?.GetValue<string>() is { } configMap)
        {
            foreach (var (key, value) in store.Get(ConfigMap, ns, configMap)?["data"]?.AsObject() ?? [])
            {
                File.WriteAllText(Path.Combine(folderOf, key), value!.GetValue<string>());
            }
        }
        else if (volume["secret"]?["secretName"]?.GetValue<string>() is { } secret)
        {
            foreach (var (key, value) in store.Get(Secret, ns, secret)?["data"]?.AsObject() ?? [])
            {
                File.WriteAllBytes(Path.Combine(folderOf, key), Convert.FromBase64String(value!.GetValue<string>()));
            }
        }

        return folderOf;
    }

    private string FromSecret(string ns, JsonNode reference) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(
            store.Get(Secret, ns, reference["name"]!.GetValue<string>())!["data"]![reference["key"]!.GetValue<string>()]!.GetValue<string>()));
}
