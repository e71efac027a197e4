#!/usr/bin/env pwsh
# Runs the registry pipeline: ./build.ps1 --target=Deploy --host=registry.example.com (see README.md).
#
# The same contract as build.sh, and the same cache: one build of the pipeline in .build/ keyed by a hash of
# every file it is built from (computed exactly as build.sh computes it, so the two share the build), a warm
# start is that hash and a `dotnet exec`, and any change to those files, even a deleted one, rebuilds first.
# Every argument is passed through, and the pipeline's exit code is this script's: 0, 1, 2 or 130.
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root '.build/pipeline'
$dll = Join-Path $out 'Build.dll'
$stamp = Join-Path $out '.source-hash'
$install = 'Install the .NET 10 SDK (Windows: winget install Microsoft.DotNet.SDK.10; Debian/Ubuntu: the dotnet-sdk-10.0 package), then run this again.'

function Write-Problem([string[]] $lines) {
    foreach ($line in $lines) { [Console]::Error.WriteLine($line) }
}

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Problem "build.ps1: the .NET 10 SDK is needed and 'dotnet' is not on PATH.", "           $install"
    exit 1
}

function Get-RelativePath([string] $path) {
    [IO.Path]::GetRelativePath($root, $path).Replace('\', '/')
}

function Get-SourceHash {
    # build.sh's hash: sha256sum's line ("<hash>  <path>" and a newline) for every input, in byte order of the
    # path, then the SHA-256 of those lines. The inputs: everything under build/ but bin/ and obj/ (dotfiles
    # too), and the repository-wide build files if any.
    $paths = [Collections.Generic.List[string]]::new()
    foreach ($file in Get-ChildItem -LiteralPath (Join-Path $root 'build') -Recurse -File -Force) {
        $relative = Get-RelativePath $file.FullName
        if ($relative -notmatch '^build/(bin|obj)/') { $paths.Add($relative) }
    }
    foreach ($name in 'global.json', 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props', 'NuGet.config', 'nuget.config') {
        if (Test-Path -LiteralPath (Join-Path $root $name) -PathType Leaf) { $paths.Add($name) }
    }
    $paths.Sort([StringComparer]::Ordinal)
    $listing = [Text.StringBuilder]::new()
    foreach ($path in $paths) {
        $fileHash = (Get-FileHash -Algorithm SHA256 -LiteralPath (Join-Path $root $path)).Hash.ToLowerInvariant()
        [void] $listing.Append("$fileHash  $path`n")
    }
    $digest = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($listing.ToString()))
    [Convert]::ToHexString($digest).ToLowerInvariant()
}

function Test-Current([string] $hash) {
    (Test-Path -LiteralPath $dll) -and (Test-Path -LiteralPath $stamp) -and ((Get-Content -Raw -LiteralPath $stamp).Trim() -eq $hash)
}

$hash = Get-SourceHash
if (-not (Test-Current $hash)) {
    New-Item -ItemType Directory -Force -Path (Join-Path $root '.build') | Out-Null
    # Two runs started together (a CI matrix, two terminals) must not build into the same folder at once.
    $lock = $null
    while ($null -eq $lock) {
        try { $lock = [IO.File]::Open((Join-Path $root '.build/lock'), 'OpenOrCreate', 'ReadWrite', 'None') }
        catch [IO.IOException] { Start-Sleep -Milliseconds 200 }
    }
    try {
        if (-not (Test-Current $hash)) {
            $sdks = @(& dotnet --list-sdks 2>$null)
            if (-not ($sdks | Where-Object { $_ -match '^10\.' })) {
                Write-Problem "build.ps1: the .NET 10 SDK is needed; this machine has: $(($sdks | ForEach-Object { ($_ -split ' ')[0] }) -join ' ')", "           $install"
                exit 1
            }
            Write-Problem 'build.ps1: building the pipeline (its sources changed since the last build)...'
            if (Test-Path -LiteralPath $out) { Remove-Item -Recurse -Force -LiteralPath $out }
            $log = Join-Path $root '.build/build.log'
            # ReadyToRun for this machine's runtime: the host, the settings and KubernetesClient are compiled once here
            # instead of by the JIT on every run. Where the ReadyToRun compiler cannot be fetched (an offline feed), a
            # plain build runs the same pipeline, only slower to start.
            $rid = @(& dotnet --info 2>$null | Select-String -Pattern '^\s*RID:\s*(\S+)' | ForEach-Object { $_.Matches[0].Groups[1].Value })[0]
            $published = $false
            if ($rid) {
                & dotnet publish (Join-Path $root 'build/Build.csproj') --configuration Release --runtime $rid --self-contained false `
                    -p:PublishReadyToRun=true --output $out --nologo --verbosity quiet *> $log
                $published = $LASTEXITCODE -eq 0
            }
            if (-not $published) {
                if (Test-Path -LiteralPath $out) { Remove-Item -Recurse -Force -LiteralPath $out }
                & dotnet build (Join-Path $root 'build/Build.csproj') --configuration Release --output $out --nologo --verbosity quiet *> $log
            }
            if (-not $published -and $LASTEXITCODE -ne 0) {
                Write-Problem (Get-Content -LiteralPath $log)
                Write-Problem "build.ps1: the pipeline does not build; the compiler's messages are above (and in .build/build.log)."
                exit 1
            }
            # No BOM and a newline, as build.sh writes it: either script then reads the other's stamp.
            [IO.File]::WriteAllText($stamp, "$hash`n")
        }
    }
    finally {
        $lock.Dispose()
    }
}

# Ctrl-C reaches the pipeline, which stops at its next await, tidies up and exits 130; PowerShell stops this script
# at the same moment, and a script stopped so ends its process with 0. When this process exists to run this
# script (pwsh -File build.ps1, or a CI step), it ends with the pipeline's code instead; an interactive shell
# that ran the script is left running.
$ownProcess = @([Environment]::GetCommandLineArgs() | Where-Object {
    $_ -and [IO.Path]::IsPathFullyQualified([IO.Path]::GetFullPath($_)) -and [IO.Path]::GetFullPath($_) -eq $PSCommandPath }).Count -gt 0
$finished = $false
try {
    & dotnet exec $dll @args
    $finished = $true
}
finally {
    if (-not $finished -and $ownProcess) { [Environment]::Exit($LASTEXITCODE) }
}
exit $LASTEXITCODE
