using Cake.Core;
using DirectoryPath = Cake.Core.IO.DirectoryPath;
using FilePath = Cake.Core.IO.FilePath;
using Registry.Build.Tests.Fixtures;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Tests.Tools.Helm;

public sealed class HelmDownloadTests : IAsyncLifetime
{
    private const string Version = "v9.9.9";
    private readonly TemporaryDirectory tools = new();
    private readonly RecordingLog log = new();
    private FileServer server = null!;
    private byte[] archive = null!;

    public async Task InitializeAsync()
    {
        server = await FileServer.StartAsync();
        archive = HelmArchive.Create("#!/bin/sh\necho v9.9.9+gtest\n");
        server.Files[HelmArchive.Name(Version)] = archive;
        server.Files[HelmArchive.Name(Version) + ".sha256sum"] = HelmArchive.Checksum(archive, HelmArchive.Name(Version));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        tools.Dispose();
    }

    [Fact]
    public async Task A_verified_release_is_unpacked_into_tools_and_runs()
    {
        var helm = await Download(Version);

        Assert.Equal(Path.Combine(tools.Path, $"helm-{Version}", "helm"), helm.FullPath);
        var run = await Command.Run(helm.FullPath, ["version", "--short"], tools.Path);
        Assert.Equal("v9.9.9+gtest", run.Output.Trim());
        Assert.Contains(log.Entries, entry => entry.Message.StartsWith($"Helm {Version} verified (SHA-256 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_installed_release_is_not_downloaded_again()
    {
        await Download(Version);
        server.Files.Clear();

        var helm = await Download(Version);

        Assert.True(File.Exists(helm.FullPath));
    }

    [Fact]
    public async Task A_checksum_mismatch_fails_and_installs_nothing()
    {
        server.Files[HelmArchive.Name(Version) + ".sha256sum"] = HelmArchive.Checksum("tampered"u8.ToArray(), HelmArchive.Name(Version));

        var error = await Assert.ThrowsAsync<CakeException>(() => Download(Version));

        Assert.Contains("does not match its published SHA-256", error.Message);
        Assert.EndsWith("Nothing was installed.", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tools.Path));
    }

    [Fact]
    public async Task A_release_that_is_not_there_fails_naming_the_address_and_installs_nothing()
    {
        var error = await Assert.ThrowsAsync<CakeException>(() => Download("v9.9.8"));

        Assert.Equal(
            $"There is no Helm v9.9.8 for {HelmDownload.Platform()} at {server.Address}{HelmArchive.Name("v9.9.8")} (404). Check helm-version, or helm-download-url if you use a mirror. Nothing was installed.",
            error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tools.Path));
    }

    [Fact]
    public async Task A_missing_checksum_file_fails_because_the_download_cannot_be_verified()
    {
        server.Files.TryRemove(HelmArchive.Name(Version) + ".sha256sum", out _);

        var error = await Assert.ThrowsAsync<CakeException>(() => Download(Version));

        Assert.Contains("could not be fetched (404 NotFound), so the download cannot be verified", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tools.Path));
    }

    [Fact]
    public async Task A_broken_archive_with_a_matching_checksum_fails_and_installs_nothing()
    {
        var broken = "not a tarball"u8.ToArray();
        server.Files[HelmArchive.Name(Version)] = broken;
        server.Files[HelmArchive.Name(Version) + ".sha256sum"] = HelmArchive.Checksum(broken, HelmArchive.Name(Version));

        var error = await Assert.ThrowsAsync<CakeException>(() => Download(Version));

        Assert.Contains("cannot be unpacked", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tools.Path));
    }

    private Task<FilePath> Download(string version) =>
        new HelmDownload(log).InstallAsync(version, server.Address, new DirectoryPath(tools.Path), CancellationToken.None);
}
