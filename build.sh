#!/usr/bin/env bash
# Runs the registry pipeline: ./build.sh --target=Deploy --host=registry.example.com (see README.md).
#
# Frosting's template runs `dotnet run --project`, which asks MSBuild whether anything changed on every call.
# This script keeps one build of the pipeline in .build/ keyed by a hash of every file it is built from,
# so a warm start is a hash and a `dotnet exec`, and any change to those files, even a deleted one,
# rebuilds before the pipeline runs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/.build/pipeline"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET 10 SDK is needed and 'dotnet' is not on PATH." >&2
  echo "          Install the .NET 10 SDK (Debian/Ubuntu: the dotnet-sdk-10.0 package), then run this again." >&2
  exit 1
fi

source_hash() {
  # Every input of the build: the project and its sources, and the repository-wide build files if any.
  (
    cd "$root"
    find build -type f -not -path 'build/bin/*' -not -path 'build/obj/*' -print0
    for file in global.json Directory.Build.props Directory.Build.targets Directory.Packages.props NuGet.config nuget.config; do
      if [ -f "$file" ]; then printf '%s\0' "$file"; fi
    done
  ) | LC_ALL=C sort -z | (cd "$root" && xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

is_current() { [ -f "$out/Build.dll" ] && [ "$(cat "$out/.source-hash" 2>/dev/null)" = "$hash" ]; }

hash="$(source_hash)"
if ! is_current; then
  mkdir -p "$root/.build"
  # Two runs started together (a CI matrix, two terminals) must not build into the same folder at once.
  if command -v flock >/dev/null 2>&1; then
    exec 9> "$root/.build/lock"
    flock 9
  fi
  if ! is_current; then
    if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
      echo "build.sh: the .NET 10 SDK is needed; this machine has: $(dotnet --list-sdks 2>/dev/null | cut -d' ' -f1 | tr '\n' ' ')" >&2
      echo "          Install the .NET 10 SDK (Debian/Ubuntu: the dotnet-sdk-10.0 package), then run this again." >&2
      exit 1
    fi
    echo "build.sh: building the pipeline (its sources changed since the last build)..." >&2
    rm -rf "$out"
    # ReadyToRun for this machine's runtime: the host, the settings and KubernetesClient are compiled once here instead
    # of by the JIT on every run (a no-op Deploy starts in about half the time). Where the ReadyToRun compiler cannot
    # be fetched (an offline feed), a plain build runs the same pipeline, only slower to start.
    rid="$(dotnet --info 2>/dev/null | awk '/^ *RID:/ { print $2; exit }')"
    build_failed=
    if [ -z "$rid" ] || ! dotnet publish "$root/build/Build.csproj" --configuration Release --runtime "$rid" --self-contained false \
        -p:PublishReadyToRun=true --output "$out" --nologo --verbosity quiet > "$root/.build/build.log" 2>&1; then
      rm -rf "$out"
      dotnet build "$root/build/Build.csproj" --configuration Release --output "$out" --nologo --verbosity quiet \
        > "$root/.build/build.log" 2>&1 || build_failed=1
    fi
    if [ -n "${build_failed:-}" ]; then
      cat "$root/.build/build.log" >&2
      echo "build.sh: the pipeline does not build; the compiler's messages are above (and in .build/build.log)." >&2
      exit 1
    fi
    echo "$hash" > "$out/.source-hash"
  fi
  exec 9>&-
fi

exec dotnet exec "$out/Build.dll" "$@"
