using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using k8s;
using k8s.Models;

namespace Registry.Build.Kubernetes;

/// <summary>
/// Declarative apply: one read per object and run (shared with the step's skip check and Plan), and a server-side apply only when a field the pipeline manages
/// differs, so a run against a converged cluster writes nothing. A field someone changed by hand is put back;
/// fields other managers own are never sent, so they are left alone.
/// </summary>
public sealed class ObjectApplier(KubernetesApi api, ICakeLog log)
{
    /// <summary>
    /// A digest of the desired object. Comparing fields finds what drifted; this finds what the pipeline
    /// stopped setting, which is in no desired field to compare, and which the apply then removes.
    /// </summary>
    public const string DesiredDigestAnnotation = "registry-pipeline/desired-digest";

    private const int ConflictRetries = 3;

    public async Task<ApplyResult> ApplyAsync(IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken)
    {
        var address = ResourceAddress.Of(item);
        var desired = Desired(item);
        for (var attempt = 1; ; attempt++)
        {
            // The run's view first (the step's skip check read it already); after a conflict, the object as it is now.
            var result = Compare(address, desired, attempt == 1 ? await api.ReadAsync(address, cancellationToken) : await api.GetAsync(address, cancellationToken));
            if (result.Action == ApplyAction.Unchanged)
            {
                log.Verbose(result.ToString());
                return result;
            }

            try
            {
                await api.ApplyAsync(address, desired, dryRun: false, cancellationToken);
                log.Information(result.ToString());
                return result;
            }
            catch (KubernetesApiException exception) when (exception.Status == HttpStatusCode.Conflict && attempt < ConflictRetries)
            {
                log.Warning($"{address} changed while it was being applied ({exception.ServerMessage}); reading it again.");
            }
        }
    }

    /// <summary>What <see cref="ApplyAsync"/> would do, with one read and no write.</summary>
    public async Task<ApplyResult> PlanAsync(IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken)
    {
        var address = ResourceAddress.Of(item);
        return Compare(address, Desired(item), await api.ReadAsync(address, cancellationToken));
    }

    /// <summary>The object as it is sent: typed fields as JSON, its apiVersion and kind, and its digest.</summary>
    public static JsonObject Desired(IKubernetesObject<V1ObjectMeta> item)
    {
        var desired = JsonNode.Parse(KubernetesJson.Serialize(item))!.AsObject();
        var entity = item.GetType().GetCustomAttribute<KubernetesEntityAttribute>()!;
        desired["apiVersion"] = entity.Group.Length == 0 ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
        desired["kind"] = entity.Kind;
        RemoveNulls(desired);

        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(desired.ToJsonString())))[..16];
        var metadata = desired["metadata"]!.AsObject();
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[DesiredDigestAnnotation] = digest;
        metadata["annotations"] = annotations;
        return desired;
    }

    private static ApplyResult Compare(ResourceAddress address, JsonObject desired, JsonObject? live)
    {
        if (live is null)
        {
            return new ApplyResult(address, ApplyAction.Created, []);
        }

        return Changes(address, desired, live) with { Live = live };
    }

    private static ApplyResult Changes(ResourceAddress address, JsonObject desired, JsonObject live)
    {

        var digestPath = $"metadata.annotations.{DesiredDigestAnnotation}";
        var differences = ManifestComparison.Differences(desired, live).Where(path => path != digestPath).ToList();
        if (differences.Count == 0 && live["metadata"]?["annotations"]?[DesiredDigestAnnotation]?.GetValue<string>()
                != desired["metadata"]!["annotations"]![DesiredDigestAnnotation]!.GetValue<string>())
        {
            differences.Add("fields this pipeline no longer sets");
        }

        return differences.Count == 0
            ? new ApplyResult(address, ApplyAction.Unchanged, [])
            : new ApplyResult(address, ApplyAction.Updated, differences);
    }

    private static void RemoveNulls(JsonNode node)
    {
        switch (node)
        {
            case JsonObject json:
                foreach (var name in json.Where(property => property.Value is null).Select(property => property.Key).ToList())
                {
                    json.Remove(name);
                }

                foreach (var (_, value) in json)
                {
                    RemoveNulls(value!);
                }

                break;
            case JsonArray array:
                foreach (var value in array.OfType<JsonNode>())
                {
                    RemoveNulls(value);
                }

                break;
        }
    }
}
