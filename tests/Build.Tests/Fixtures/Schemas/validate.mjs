// Validates Kubernetes objects (a JSON array on stdin) against the upstream OpenAPI schemas that the npm packages
// kubernetes-models, @kubernetes-models/cert-manager, @kubernetes-models/gateway-api and
// @kubernetes-models/prometheus-operator carry; prints one line per
// object, exits 1 if any is invalid. Envoy Gateway's and NGINX Gateway Fabric's policies have no published model:
// they are listed as unchecked (their fields are asserted by the tests that render them).
const unpublished = ["gateway.envoyproxy.io", "gateway.nginx.org"];
const text = await new Promise(resolve => {
  let data = "";
  process.stdin.on("data", chunk => data += chunk);
  process.stdin.on("end", () => resolve(data));
});
let invalid = 0;
for (const item of JSON.parse(text)) {
  const [group, version] = item.apiVersion.includes("/") ? item.apiVersion.split("/") : ["", item.apiVersion];
  if (unpublished.includes(group)) {
    console.log(`unchecked ${item.kind} ${item.metadata.name}: no published schema for ${group}`);
    continue;
  }

  const module = group.endsWith("cert-manager.io")
    ? `@kubernetes-models/cert-manager/${group}/${version}`
    : group === "gateway.networking.k8s.io"
      ? `@kubernetes-models/gateway-api/${group}/${version}`
      : group === "monitoring.coreos.com"
        ? `@kubernetes-models/prometheus-operator/${group}/${version}`
        : `kubernetes-models/${group ? group + "/" : ""}${version}`;
  const Model = (await import(module))[item.kind];
  if (!Model) {
    invalid++;
    console.log(`unknown ${item.apiVersion} ${item.kind} ${item.metadata.name}: no upstream schema`);
    continue;
  }

  try {
    new Model(item).validate();
    console.log(`valid ${item.kind} ${item.metadata.name}`);
  } catch (error) {
    invalid++;
    console.log(`invalid ${item.kind} ${item.metadata.name}: ${error.message}`);
  }
}

process.exit(invalid ? 1 : 0);
