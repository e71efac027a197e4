using System.Globalization;
using System.Text.Json.Nodes;

namespace Registry.Build.Tests.Fixtures.Kubernetes;

/// <summary>An API server's answer: a status code and an object or a Kubernetes Status.</summary>
public sealed record StoreResult(int Code, JsonObject Body)
{
    public static StoreResult Error(int code, string reason, string message) => new(code, new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["reason"] = reason,
        ["message"] = message,
        ["code"] = code,
    });
}

/// <summary>
/// The emulated cluster's objects with the bookkeeping a real API server does: uid, resourceVersion (bumped
/// only by a real change), generation (bumped by a spec change), creationTimestamp, and managedFields from
/// which server-side apply decides what a manager may remove.
/// </summary>
public sealed class ObjectStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ResourceType Type, string? Namespace, string Name), Stored> objects = [];

    // Every version a write committed, for tests that care what an object was in between (a replica count that dipped).
    private readonly Dictionary<(ResourceType Type, string? Namespace, string Name), List<JsonObject>> versions = [];
    private long resourceVersion = 1000;

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            return objects.TryGetValue((type, ns, name), out var stored) ? Render(stored) : null;
        }
    }

    public IReadOnlyList<JsonObject> List(ResourceType type, string? ns, Func<JsonObject, bool>? filter = null)
    {
        lock (gate)
        {
            return objects
                .Where(entry => entry.Key.Type == type && (ns is null || entry.Key.Namespace == ns))
                .Select(entry => Render(entry.Value))
                .Where(item => filter?.Invoke(item) ?? true)
                .OrderBy(item => item["metadata"]!["namespace"]?.GetValue<string>()).ThenBy(item => item["metadata"]!["name"]!.GetValue<string>())
                .ToList();
        }
    }

    public string ResourceVersion
    {
        get
        {
            lock (gate)
            {
                return resourceVersion.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    public StoreResult Create(ResourceType type, string? ns, JsonObject body, string manager, bool dryRun)
    {
        lock (gate)
        {
            var name = body["metadata"]?["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                return StoreResult.Error(422, "Invalid", $"{type.Kind} \"\" is invalid: metadata.name: Required value: name or generateName is required");
            }

            if (objects.ContainsKey((type, ns, name)))
            {
                return StoreResult.Error(409, "AlreadyExists", $"{type.Plural} \"{name}\" already exists");
            }

            if (MissingNamespace(type, ns) is { } missing)
            {
                return missing;
            }

            return Commit(type, ns, name, null, body, manager, "Update", FieldPaths.Leaves(Content(body)), replaceOwnership: false, dryRun, created: true);
        }
    }

    public StoreResult Replace(ResourceType type, string? ns, string name, JsonObject body, string manager, bool dryRun)
    {
        lock (gate)
        {
            if (!objects.TryGetValue((type, ns, name), out var stored))
            {
                return NotFound(type, name);
            }

            var expected = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (expected is not null && expected != stored.Body["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                return StoreResult.Error(409, "Conflict",
                    $"Operation cannot be fulfilled on {type.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
            }

            return Commit(type, ns, name, stored, body, manager, "Update", Changed(stored.Body, body), replaceOwnership: false, dryRun, created: false);
        }
    }

    public StoreResult MergePatch(ResourceType type, string? ns, string name, JsonObject patch, string manager, bool dryRun)
    {
        lock (gate)
        {
            if (!objects.TryGetValue((type, ns, name), out var stored))
            {
                return NotFound(type, name);
            }

            var merged = stored.Body.DeepClone().AsObject();
            MergePatchInto(merged, patch);
            return Commit(type, ns, name, stored, merged, manager, "Update", Changed(stored.Body, merged), replaceOwnership: false, dryRun, created: false);
        }
    }

    public StoreResult JsonPatch(ResourceType type, string? ns, string name, JsonArray operations, string manager, bool dryRun)
    {
        lock (gate)
        {
            if (!objects.TryGetValue((type, ns, name), out var stored))
            {
                return NotFound(type, name);
            }

            var patched = stored.Body.DeepClone().AsObject();
            foreach (var operation in operations.OfType<JsonObject>())
            {
                if (!JsonPatchOperation.TryApply(patched, operation, out var problem))
                {
                    return StoreResult.Error(422, "Invalid", $"the JSON patch cannot be applied: {problem}");
                }
            }

            return Commit(type, ns, name, stored, patched, manager, "Update", Changed(stored.Body, patched), replaceOwnership: false, dryRun, created: false);
        }
    }

    /// <summary>Server-side apply, as the API server does it for the emulator's field sets.</summary>
    public StoreResult Apply(ResourceType type, string? ns, string name, JsonObject applied, string manager, bool force, bool dryRun)
    {
        lock (gate)
        {
            var appliedLeaves = FieldPaths.Leaves(Content(applied));
            if (!objects.TryGetValue((type, ns, name), out var stored))
            {
                if (MissingNamespace(type, ns) is { } missing)
                {
                    return missing;
                }

                return Commit(type, ns, name, null, applied, manager, "Apply", appliedLeaves, replaceOwnership: true, dryRun, created: true);
            }

            var conflicts = stored.Owners
                .Where(owner => owner.Key != manager)
                .SelectMany(owner => owner.Value.Leaves.Intersect(appliedLeaves).Select(leaf => (owner.Key, leaf)))
                .Where(conflict => !SameValueAt(stored.Body, applied, conflict.leaf))
                .ToList();
            if (conflicts.Count > 0 && !force)
            {
                return StoreResult.Error(409, "Conflict",
                    $"Apply failed with {conflicts.Count} conflict(s): {string.Join("; ", conflicts.Select(conflict => $"conflict with \"{conflict.Key}\""))}");
            }

            var previous = stored.Owners.TryGetValue(manager, out var owned) ? owned.Leaves : [];
            var ownedByOthers = stored.Owners.Where(owner => owner.Key != manager).SelectMany(owner => owner.Value.Leaves).ToHashSet();
            var released = previous.Where(leaf => !appliedLeaves.Contains(leaf) && !ownedByOthers.Contains(leaf)).ToHashSet();
            var result = FieldPaths.Without(stored.Body, released);
            FieldPaths.Merge(result, Content(applied));
            return Commit(type, ns, name, stored, result, manager, "Apply", appliedLeaves, replaceOwnership: true, dryRun, created: false);
        }
    }

    public StoreResult Delete(ResourceType type, string? ns, string name, bool dryRun)
    {
        lock (gate)
        {
            if (!objects.TryGetValue((type, ns, name), out var stored))
            {
                return NotFound(type, name);
            }

            var body = Render(stored);
            if (!dryRun && type.Kind == "Namespace")
            {
                // As the API server does: the namespace is marked and refuses new content; the namespace controller
                // empties it and removes it afterwards (EmulatedControllers).
                if (stored.Body["metadata"]!["deletionTimestamp"] is null)
                {
                    stored.Body["metadata"]!["deletionTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                    stored.Body["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                    stored.Body["status"] = new JsonObject { ["phase"] = "Terminating" };
                    stored.Body["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
                }

                return new StoreResult(200, Render(stored));
            }

            if (!dryRun)
            {
                objects.Remove((type, ns, name));

                resourceVersion++;
            }

            return new StoreResult(200, body);
        }
    }

    /// <summary>The namespace controller's last act: everything in a terminating namespace, then the namespace, is gone.</summary>
    public void FinishDeleting(string ns)
    {
        lock (gate)
        {
            foreach (var key in objects.Keys.Where(key => key.Namespace == ns || (key.Type.Kind == "Namespace" && key.Name == ns)).ToList())
            {
                objects.Remove(key);
            }

            resourceVersion++;
        }
    }

    /// <summary>Puts an object in place as if something else had created it (pre-seeded cluster state).</summary>
    public JsonObject Seed(JsonObject item, string manager = "seed")
    {
        var type = ResourceCatalogue.OfKind(item["apiVersion"]!.GetValue<string>(), item["kind"]!.GetValue<string>());
        var ns = type.Namespaced ? item["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        lock (gate)
        {
            var name = item["metadata"]!["name"]!.GetValue<string>();
            objects.TryGetValue((type, ns, name), out var stored);
            var result = Commit(type, ns, name, stored, item, manager, "Update", FieldPaths.Leaves(Content(item)), replaceOwnership: false, dryRun: false, created: stored is null, keepStatus: false);
            return result.Body;
        }
    }

    /// <summary>Each version of the object that a write committed, oldest first.</summary>
    public IReadOnlyList<JsonObject> Versions(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            return versions.TryGetValue((type, ns, name), out var committed) ? [.. committed.Select(body => body.DeepClone().AsObject())] : [];
        }
    }

    /// <summary>Lets a controller change what it owns (status, or a whole object it creates), outside any request.</summary>
    public void Mutate(ResourceType type, string? ns, string name, Action<JsonObject> change)
    {
        lock (gate)
        {
            if (!objects.TryGetValue((type, ns, name), out var stored))
            {
                return;
            }

            var body = stored.Body.DeepClone().AsObject();
            change(body);
            if (!JsonNode.DeepEquals(body, stored.Body))
            {
                stored.Body = body;
                stored.Body["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Every object with when its spec last changed, for the emulated controllers.</summary>
    public IReadOnlyList<(ResourceType Type, string? Namespace, string Name, JsonObject Body, DateTimeOffset SpecChanged)> Snapshot()
    {
        lock (gate)
        {
            return objects.Select(entry => (entry.Key.Type, entry.Key.Namespace, entry.Key.Name, Render(entry.Value), entry.Value.SpecChanged)).ToList();
        }
    }

    private StoreResult Commit(
        ResourceType type, string? ns, string name, Stored? stored, JsonObject proposed, string manager, string operation,
        IEnumerable<string> leaves, bool replaceOwnership, bool dryRun, bool created, bool keepStatus = true)
    {
        var now = DateTimeOffset.UtcNow;
        var body = proposed.DeepClone().AsObject();
        body["apiVersion"] = type.ApiVersion;
        body["kind"] = type.Kind;
        var metadata = body["metadata"] as JsonObject ?? [];
        body["metadata"] = metadata;
        metadata.Remove("managedFields");
        metadata["name"] = name;
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        if (keepStatus)
        {
            // Writes to the main resource never change status; controllers own it.
            body.Remove("status");
            if (stored?.Body["status"] is { } status)
            {
                body["status"] = status.DeepClone();
            }
        }

        if (type.Kind == "Deployment" && DefaultAndValidateDeployment(body) is { } invalid)
        {
            return invalid;
        }

        var previous = stored?.Body;
        metadata["uid"] = previous?["metadata"]?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = previous?["metadata"]?["creationTimestamp"]?.DeepClone() ?? now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var specChanged = previous is null || !JsonNode.DeepEquals(Spec(previous), Spec(body));
        var generation = previous?["metadata"]?["generation"]?.GetValue<long>() ?? 0;
        metadata["generation"] = specChanged ? generation + 1 : generation;

        var owners = stored?.Owners.ToDictionary(owner => owner.Key, owner => owner.Value with { Leaves = [.. owner.Value.Leaves] })
            ?? new Dictionary<string, Ownership>();
        var taken = leaves.ToHashSet();
        foreach (var other in owners.Keys.Where(key => key != manager).ToList())
        {
            owners[other].Leaves.ExceptWith(taken);
            if (owners[other].Leaves.Count == 0)
            {
                owners.Remove(other);
            }
        }

        var mine = replaceOwnership || !owners.TryGetValue(manager, out var existing) ? taken : [.. existing.Leaves, .. taken];
        if (mine.Count > 0)
        {
            owners[manager] = new Ownership(operation, mine, now);
        }

        metadata["resourceVersion"] = previous?["metadata"]?["resourceVersion"]?.DeepClone();
        var unchanged = previous is not null
            && JsonNode.DeepEquals(previous, body)
            && SameOwnership(stored!.Owners, owners);
        if (unchanged)
        {
            return new StoreResult(200, Render(stored!));
        }

        var next = resourceVersion + 1;
        metadata["resourceVersion"] = next.ToString(CultureInfo.InvariantCulture);
        var result = new Stored(body, owners, specChanged ? now : stored!.SpecChanged);
        if (!dryRun)
        {
            resourceVersion = next;
            objects[(type, ns, name)] = result;
            if (!versions.TryGetValue((type, ns, name), out var committed))
            {
                versions[(type, ns, name)] = committed = [];
            }

            committed.Add(body.DeepClone().AsObject());
        }

        return new StoreResult(created ? 201 : 200, Render(result));
    }

    // As the API server: one replica unless told, a rolling update gets its 25% defaults (owned by nobody), and a Recreate that still carries
    // rollingUpdate is refused, which is what a switch from RollingUpdate meets when the old defaults stay behind.
    private static StoreResult? DefaultAndValidateDeployment(JsonObject deployment)
    {
        if (deployment["spec"] is not JsonObject spec)
        {
            return null;
        }

        // A Deployment that does not say how many replicas has one.
        spec["replicas"] ??= 1L;
        var strategy = spec["strategy"] as JsonObject ?? [];
        spec["strategy"] = strategy;
        strategy["type"] ??= "RollingUpdate";
        if (strategy["type"]!.GetValue<string>() == "RollingUpdate")
        {
            var rolling = strategy["rollingUpdate"] as JsonObject ?? [];
            strategy["rollingUpdate"] = rolling;
            rolling["maxSurge"] ??= "25%";
            rolling["maxUnavailable"] ??= "25%";
            return null;
        }

        return strategy["rollingUpdate"] is null
            ? null
            : StoreResult.Error(422, "Invalid", $"Deployment.apps \"{deployment["metadata"]?["name"]}\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'");
    }

    private StoreResult? MissingNamespace(ResourceType type, string? ns)
    {
        if (!type.Namespaced)
        {
            return null;
        }

        if (!objects.TryGetValue((ResourceCatalogue.All[0], null, ns!), out var found))
        {
            return StoreResult.Error(404, "NotFound", $"namespaces \"{ns}\" not found");
        }

        return found.Body["metadata"]?["deletionTimestamp"] is null
            ? null
            : StoreResult.Error(403, "Forbidden", $"{type.Plural} is forbidden: unable to create new content in namespace {ns} because it is being terminated");
    }

    private static StoreResult NotFound(ResourceType type, string name) =>
        StoreResult.Error(404, "NotFound", $"{type.Plural}{(type.Group.Length > 0 ? "." + type.Group : string.Empty)} \"{name}\" not found");

    private static JsonObject Render(Stored stored)
    {
        var body = stored.Body.DeepClone().AsObject();
        var managed = new JsonArray();
        foreach (var (manager, ownership) in stored.Owners.OrderBy(owner => owner.Key, StringComparer.Ordinal))
        {
            managed.Add(new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = ownership.Operation,
                ["apiVersion"] = body["apiVersion"]!.DeepClone(),
                ["time"] = ownership.Time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldPaths.Tree(ownership.Leaves),
            });
        }

        body["metadata"]!["managedFields"] = managed;
        return body;
    }

    // What a manager writes: everything but the server's own bookkeeping.
    private static JsonObject Content(JsonObject body)
    {
        var content = body.DeepClone().AsObject();
        content.Remove("apiVersion");
        content.Remove("kind");
        content.Remove("status");
        if (content["metadata"] is JsonObject metadata)
        {
            foreach (var field in new[] { "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "namespace", "name" })
            {
                metadata.Remove(field);
            }

            if (metadata.Count == 0)
            {
                content.Remove("metadata");
            }
        }

        return content;
    }

    private static HashSet<string> Changed(JsonObject before, JsonObject after)
    {
        var old = FieldPaths.Leaves(Content(before));
        var oldValues = Content(before);
        var newValues = Content(after);
        return FieldPaths.Leaves(newValues).Where(leaf => !old.Contains(leaf) || !SameValueAt(oldValues, newValues, leaf, contentOnly: true)).ToHashSet();
    }

    private static bool SameValueAt(JsonObject a, JsonObject b, string leaf, bool contentOnly = false)
    {
        var left = FieldPaths.Without(contentOnly ? a : Content(a), FieldPaths.Leaves(contentOnly ? a : Content(a)).Where(other => other != leaf).ToHashSet());
        var right = FieldPaths.Without(contentOnly ? b : Content(b), FieldPaths.Leaves(contentOnly ? b : Content(b)).Where(other => other != leaf).ToHashSet());
        return JsonNode.DeepEquals(left, right);
    }

    private static bool SameOwnership(Dictionary<string, Ownership> a, Dictionary<string, Ownership> b) =>
        a.Count == b.Count && a.All(owner => b.TryGetValue(owner.Key, out var other) && other.Leaves.SetEquals(owner.Value.Leaves));

    private static JsonObject Spec(JsonObject body)
    {
        var spec = body.DeepClone().AsObject();
        spec.Remove("metadata");
        spec.Remove("status");
        return spec;
    }

    private static void MergePatchInto(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject patchObject && target[name] is JsonObject targetObject)
            {
                MergePatchInto(targetObject, patchObject);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    private sealed record Ownership(string Operation, HashSet<string> Leaves, DateTimeOffset Time);

    private sealed class Stored(JsonObject body, Dictionary<string, Ownership> owners, DateTimeOffset specChanged)
    {
        public JsonObject Body { get; set; } = body;

        public Dictionary<string, Ownership> Owners { get; } = owners;

        public DateTimeOffset SpecChanged { get; } = specChanged;
    }
}
