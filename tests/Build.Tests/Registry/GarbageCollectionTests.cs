using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Registry.Build.Manifests;
using Registry.Build.Registry;
using Registry.Build.Registry.Oci;
using Registry.Build.Registry.Retention;
using Registry.Build.Settings;
using Registry.Build.State;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tests.Fixtures.Kubernetes;

namespace Registry.Build.Tests.Registry;

/// <summary>
/// Retention and garbage collection on the real registry (Debian's docker-registry): the rendered config, the
/// retention run over its API, and the garbage-collect Job's own command line run against the same store while the
/// registry serves the rendered read-only config.
/// </summary>
public sealed class GarbageCollectionTests : IDisposable
{
    private const string Password = "Gc-Passw0rd";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TemporaryDirectory store = new();

    // Three images: a base layer all share, a layer the first two share, and one of their own each.
    private readonly TestImage oldest = TestImage.Of(Now.AddDays(-60), "base", "runtime 1", "oldest's own");
    private readonly TestImage middle = TestImage.Of(Now.AddDays(-20), "base", "runtime 1", "middle's own");
    private readonly TestImage newest = TestImage.Of(Now.AddDays(-2), "base", "runtime 2", "newest's own");

    public void Dispose() => store.Dispose();

    [Fact]
    public async Task Retention_removes_one_image_and_the_jobs_garbage_collect_frees_exactly_its_own_blobs_while_pushes_are_refused()
    {
        var settings = new RegistrySettings { Host = "registry.example.com", Password = new Secret(Password), RetainCount = 2 };
        var declaration = new Declaration(ManifestTemplates.InSourceTree());
        var credentials = await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None);
        var readWrite = declaration.Build(settings, credentials, ownsNamespace: true);
        var readOnly = declaration.Build(settings, credentials, ownsNamespace: true, readOnly: true);

        await using (var registry = await StartAsync(readWrite))
        {
            using var client = Client(registry);
            await oldest.PushAsync(client, "team/app", "1");
            await middle.PushAsync(client, "team/app", "2");
            await newest.PushAsync(client, "team/app", "3");
            // A second tag on the middle image, outside the newest two: it shares a kept tag's manifest, so it stays.
            await middle.PushAsync(client, "team/app", "2-alias");
            // A push that stopped after its first layer: a repository without tags, which retention passes by.
            await client.PushBlobAsync("team/interrupted", TestImage.Of(Now, "half a push").Layers[0], 1 << 20, CancellationToken.None);

            var verdicts = await new RegistryRetention(client, new RecordingLog()).ApplyAsync(RetentionRules.Of(settings, Now), dryRun: false, CancellationToken.None);

            Assert.Equal(["1"], verdicts.Where(verdict => !verdict.Keep).Select(verdict => verdict.Image.Tag));
            Assert.Equal(["2", "2-alias", "3"], (await client.TagsAsync("team/app", CancellationToken.None)).Order(StringComparer.Ordinal));
        }

        await using (var maintenance = await StartAsync(readOnly))
        {
            using var client = Client(maintenance);
            // A push during the window gets distribution's read-only answer; pulls go on.
            Assert.Equal(HttpStatusCode.MethodNotAllowed, await client.ProbeUploadAsync("team/other", CancellationToken.None));
            var refused = await Assert.ThrowsAsync<RegistryApiException>(() => TestImage.Of(Now, "during the window").PushAsync(client, "team/other", "1"));
            Assert.Contains("405", refused.Message);
            await newest.AssertPullsAsync(client, "team/app", "3");

            var job = declaration.GarbageCollectJob(settings, readOnly, "docker-registry-garbage-collect-test");
            var (exitCode, log) = await RunJobAsync(readOnly, job);

            Assert.True(exitCode == 0, string.Join(Environment.NewLine, log));
            var report = GarbageCollectReport.Of(log);
            // The oldest image's manifest, config and own layer (its shared layers stay with the images that use them),
            // and the interrupted push's layer, which no manifest references.
            Assert.Equal(4, report.BlobsBefore - report.BlobsAfter);
        }

        Assert.False(File.Exists(TestImage.BlobPath(store.Path, oldest.Layers[2].Digest)));
        Assert.False(File.Exists(TestImage.BlobPath(store.Path, oldest.Config.Digest)));
        Assert.False(File.Exists(TestImage.BlobPath(store.Path, oldest.Digest)));
        await using (var after = await StartAsync(readWrite))
        {
            using var client = Client(after);
            await middle.AssertPullsAsync(client, "team/app", "2");
            await middle.AssertPullsAsync(client, "team/app", "2-alias");
            await newest.AssertPullsAsync(client, "team/app", "3");
            await TestImage.Of(Now, "after the window").PushAsync(client, "team/other", "1");
        }
    }

    [Fact]
    public async Task A_dry_run_job_lists_and_deletes_nothing()
    {
        var settings = new RegistrySettings { Host = "registry.example.com", Password = new Secret(Password), GcDryRun = true };
        var declaration = new Declaration(ManifestTemplates.InSourceTree());
        var state = declaration.Build(settings, await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None), ownsNamespace: true);
        await using (var registry = await StartAsync(state))
        {
            using var client = Client(registry);
            await oldest.PushAsync(client, "team/app", "1");
            Assert.True(await client.DeleteAsync("team/app", "manifests", oldest.Digest, CancellationToken.None));
        }

        var (exitCode, log) = await RunJobAsync(state, declaration.GarbageCollectJob(settings, state, "dry-run"));

        Assert.True(exitCode == 0, string.Join(Environment.NewLine, log));
        Assert.Contains(log, line => line.StartsWith("blob eligible for deletion: ", StringComparison.Ordinal));
        var report = GarbageCollectReport.Of(log);
        Assert.Equal(report.BlobsBefore, report.BlobsAfter);
        Assert.True(File.Exists(TestImage.BlobPath(store.Path, oldest.Layers[2].Digest)));
    }

    [Fact]
    public async Task With_a_redis_cache_the_jobs_cache_reset_makes_the_registry_forget_the_blobs_garbage_collect_deleted()
    {
        await using var redis = await RedisServer.StartAsync("gc-cache-password");
        var settings = new RegistrySettings
        {
            Host = "registry.example.com",
            Password = new Secret(Password),
            // The real server here is distribution 2.8: its config shape.
            Image = "registry:2.8.3",
            RedisUrl = $"redis://127.0.0.1:{redis.Port}/2",
            StoreSecrets = new StoreSecrets { RedisPassword = new Secret(redis.Password) },
        };
        var declaration = new Declaration(ManifestTemplates.InSourceTree());
        var credentials = await RegistryCredentials.ResolveAsync(settings, null, CancellationToken.None);
        var readOnly = declaration.Build(settings, credentials, ownsNamespace: true, readOnly: true);
        var job = declaration.GarbageCollectJob(settings, readOnly, "with-cache");
        var pod = await RenderedPod.OfAsync(settings);
        await using var registry = await pod.StartAsync(dataDirectory: store.Path);
        using var client = Client(registry);
        await oldest.PushAsync(client, "team/app", "1");
        Assert.True(await client.DeleteAsync("team/app", "manifests", oldest.Digest, CancellationToken.None));

        // garbage-collect alone: the layer is gone from the store, but the shared cache still vouches for it.
        var (collected, collectLog) = await RunAsync(readOnly, job, job.Spec.Template.Spec.InitContainers.Single());
        Assert.True(collected == 0, string.Join(Environment.NewLine, collectLog));
        Assert.False(File.Exists(TestImage.BlobPath(store.Path, oldest.Layers[2].Digest)));
        Assert.True(await client.BlobExistsAsync("team/app", oldest.Layers[2].Digest, CancellationToken.None), "the stale descriptor this container exists for did not show");

        var (reset, resetLog) = await RunAsync(readOnly, job, job.Spec.Template.Spec.Containers.Single());

        Assert.True(reset == 0, string.Join(Environment.NewLine, resetLog));
        Assert.Matches(@"^cache reset: [1-9]\d* keys of the registry's blob descriptor cache deleted$", resetLog.Single());
        Assert.False(await client.BlobExistsAsync("team/app", oldest.Layers[2].Digest, CancellationToken.None));
        Assert.Empty((await redis.CliAsync("-n", "2", "--scan")).Trim());
        // The password reaches redis-cli from the storage Secret, never on its command line.
        Assert.Equal("docker-registry-storage", job.Spec.Template.Spec.Containers.Single().Env.Single(variable => variable.Name == "REDISCLI_AUTH").ValueFrom.SecretKeyRef.Name);
        Assert.DoesNotContain(redis.Password, KubernetesJson.Serialize(job));
        var (schemaExit, schemaOutput) = await Fixtures.Schemas.UpstreamSchemas.ValidateAsync([Build.Kubernetes.ObjectApplier.Desired(job)]);
        Assert.True(schemaExit == 0, schemaOutput);
    }

    // The registry as its pod runs it: the rendered config and htpasswd, on this test's store.
    private async Task<RealRegistry> StartAsync(DesiredState state)
    {
        var secrets = state.Objects.Select(item => item.Object).OfType<V1Secret>().ToDictionary(secret => secret.Metadata.Name);
        var config = state.Objects.Select(item => item.Object).OfType<V1ConfigMap>().Single(map => map.Metadata.Name == Declaration.ConfigName).Data["config.yml"];
        return await RealRegistry.StartAsync(config, System.Text.Encoding.UTF8.GetString(secrets[RegistryCredentials.HtpasswdSecret].Data["htpasswd"]), dataDirectory: store.Path);
    }

    // The Job's container, run by the node runtime the emulator uses: its command line as declared, its mounts mapped here.
    private Task<(int ExitCode, IReadOnlyList<string> Log)> RunJobAsync(DesiredState state, V1Job job) => RunAsync(state, job, job.Spec.Template.Spec.Containers.Single());

    private async Task<(int ExitCode, IReadOnlyList<string> Log)> RunAsync(DesiredState state, V1Job job, V1Container container)
    {
        var cluster = new ObjectStore();
        cluster.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "docker-registry" } });
        foreach (var item in state.Objects.Select(item => item.Object).Where(item => item is V1ConfigMap or V1Secret))
        {
            cluster.Seed(JsonNode.Parse(KubernetesJson.Serialize(item))!.AsObject());
        }

        var runtime = new RegistryImageRuntime(cluster) { Claims = { ["docker-registry-data"] = store.Path } };
        var pod = JsonNode.Parse(KubernetesJson.Serialize(job.Spec.Template))!.AsObject();
        var log = new List<string>();
        var exitCode = await runtime.RunAsync(new ContainerRun("docker-registry", pod, JsonNode.Parse(KubernetesJson.Serialize(container))!.AsObject(), line => { lock (log) { log.Add(line); } }));
        return (exitCode, log);
    }

    private static RegistryClient Client(RealRegistry registry) => new(registry.Address, new Credential("admin", new Secret(Password)), new RegistryTrust(null, false));
}
