#!/usr/bin/env pwsh
# Runs the registry pipeline: ./build.ps1 --target=Deploy --host=registry.example.com (see README.md).
#
# Same contract as build.sh: one build of the pipeline in .build/ keyed by a hash of every file it is built
# from, so a warm start is a hash and a `dotnet exec`, and any change to those files rebuilds first.
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root '.build/pipeline'
$dll = Join-Path $out 'Build.dll'
$stamp = Join-Path $out '.source-hash'

function Write-Problem([string[]] $lines) {
    foreach ($line in $lines) { [Console]::Error.WriteLine($line) }
}

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Problem "build.ps1: the .NET 10 SDK is needed and 'dotnet' is not on PATH.",
                  "           Install the .NET 10 SDK (winget install Microsoft.DotNet.SDK.10), then run this again."
    exit 1
}

function Get-RelativePath([string] $path) {
    [IO.Path]::GetRelativePath($root, $path).Replace('\', '/')
}

function Get-SourceHash {
    # Every input of the build: the project and its sources, and the repository-wide build files if any.
    $files = @(Get-ChildItem -Path (Join-Path $root 'build') -Recurse -File |
        Where-Object { (Get-RelativePath $_.FullName) -notmatch '^build/(bin|obj)/' })
    foreach ($name in 'global.json', 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props', 'NuGet.config', 'nuget.config') {
        $candidate = Join-Path $root $name
        if (Test-Path $candidate -PathType Leaf) { $files += Get-Item $candidate }
    }
    $lines = [Collections.Generic.List[string]]::new()
    foreach ($file in $files) {
        $lines.Add('{0}  {1}' -f (Get-FileHash -Algorithm SHA256 -LiteralPath $file.FullName).Hash.ToLowerInvariant(), (Get-RelativePath $file.FullName))
    }
    $lines.Sort([StringComparer]::Ordinal)
    $digest = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes(($lines -join "`n")))
    -join ($digest | ForEach-Object { $_.ToString('x2') })
}

function Test-Current([string] $hash) {
    (Test-Path $dll) -and (Test-Path $stamp) -and ((Get-Content -Raw $stamp).Trim() -eq $hash)
}

$hash = Get-SourceHash
if (-not (Test-Current $hash)) {
    New-Item -ItemType Directory -Force -Path (Join-Path $root '.build') | Out-Null
    # Two runs started together must not build into the same folder at once.
    $lock = $null
    while ($null -eq $lock) {
        try { $lock = [IO.File]::Open((Join-Path $root '.build/lock'), 'OpenOrCreate', 'ReadWrite', 'None') }
        catch [IO.IOException] { Start-Sleep -Milliseconds 200 }
    }
    try {
        if (-not (Test-Current $hash)) {
            $sdks = @(& dotnet --list-sdks 2>$null)
            if (-not ($sdks | Where-Object { $_ -match '^10\.' })) {
                Write-Problem "build.ps1: the .NET 10 SDK is needed; this machine has: $(($sdks | ForEach-Object { ($_ -split ' ')[0] }) -join ' ')",
                              "           Install the .NET 10 SDK (winget install Microsoft.DotNet.SDK.10), then run this again."
                exit 1
            }
            Write-Problem 'build.ps1: building the pipeline (its sources changed since the last build)...'
            if (Test-Path $out) { Remove-Item -Recurse -Force $out }
            $log = Join-Path $root '.build/build.log'
            & dotnet build (Join-Path $root 'build/Build.csproj') --configuration Release --output $out --nologo --verbosity quiet *> $log
            if ($LASTEXITCODE -ne 0) {
                Write-Problem (Get-Content $log)
                Write-Problem "build.ps1: the pipeline does not build; the compiler's messages are above (and in .build/build.log)."
                exit 1
            }
            Set-Content -NoNewline -Path $stamp -Value $hash
        }
    }
    finally {
        $lock.Dispose()
    }
}

& dotnet exec $dll @args
exit $LASTEXITCODE
