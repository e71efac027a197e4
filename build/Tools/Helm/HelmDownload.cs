using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.IO;

namespace Registry.Build.Tools.Helm;

/// <summary>
/// Downloads a Helm release for this OS and architecture, checks it against the SHA-256 published beside it,
/// and unpacks it into <c>tools/helm-VERSION/</c>. Everything happens in a scratch folder first, so a failed
/// download, a bad checksum or a broken archive leaves nothing behind.
/// </summary>
public sealed class HelmDownload(ICakeLog log)
{
    public static string Platform()
    {
        var os = OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "darwin" : "linux";
        var architecture = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        return $"{os}-{architecture}";
    }

    /// <returns>The unpacked helm executable.</returns>
    public async Task<FilePath> InstallAsync(string version, Uri baseUrl, DirectoryPath tools, CancellationToken cancellationToken)
    {
        var platform = Platform();
        var executable = OperatingSystem.IsWindows() ? "helm.exe" : "helm";
        var target = System.IO.Path.Combine(tools.FullPath, $"helm-{version}");
        var installed = System.IO.Path.Combine(target, executable);
        if (File.Exists(installed))
        {
            return new FilePath(installed);
        }

        var archiveName = $"helm-{version}-{platform}.{(OperatingSystem.IsWindows() ? "zip" : "tar.gz")}";
        var archiveUrl = new Uri(baseUrl, archiveName);
        Directory.CreateDirectory(tools.FullPath);
        var scratch = Directory.CreateTempSubdirectory("helm-download-").FullName;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            log.Information($"Downloading Helm {version} for {platform} from {archiveUrl}...");
            var archive = System.IO.Path.Combine(scratch, archiveName);
            await DownloadAsync(http, archiveUrl, archive, version, platform, cancellationToken);
            var expected = await ExpectedChecksumAsync(http, new Uri(archiveUrl + ".sha256sum"), cancellationToken);
            var actual = await ChecksumAsync(archive, cancellationToken);
            if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
            {
                throw new CakeException(
                    $"The Helm {version} download from {archiveUrl} does not match its published SHA-256 (expected {expected}, got {actual}): " +
                    "it is corrupt or was tampered with. Nothing was installed.");
            }

            var unpacked = System.IO.Path.Combine(scratch, "unpacked");
            Unpack(archive, unpacked);
            var found = System.IO.Path.Combine(unpacked, platform, executable);
            if (!File.Exists(found))
            {
                throw new CakeException($"The Helm {version} archive from {archiveUrl} has no {platform}/{executable}. Nothing was installed.");
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(found, File.GetUnixFileMode(found) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            // One move puts the whole release in place: a run never sees half of it.
            var staged = System.IO.Path.Combine(tools.FullPath, $".helm-{version}-{Guid.NewGuid():N}");
            Directory.Move(System.IO.Path.Combine(unpacked, platform), staged);
            Directory.Move(staged, target);
            log.Information($"Helm {version} verified (SHA-256 {actual}) and installed in {target}.");
            return new FilePath(installed);
        }
        catch (HttpRequestException exception)
        {
            throw new CakeException($"Helm {version} could not be downloaded from {archiveUrl}: {exception.Message}. Nothing was installed.");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task DownloadAsync(HttpClient http, Uri url, string path, string version, string platform, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CakeException(
                $"There is no Helm {version} for {platform} at {url} (404). Check helm-version, or helm-download-url if you use a mirror. Nothing was installed.");
        }

        response.EnsureSuccessStatusCode();
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, cancellationToken);
    }

    private static async Task<string> ExpectedChecksumAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CakeException(
                $"The checksum {url} could not be fetched ({(int)response.StatusCode} {response.StatusCode}), so the download cannot be verified. Nothing was installed.");
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
            ?? throw new CakeException($"The checksum file {url} is empty. Nothing was installed.");
    }

    private static async Task<string> ChecksumAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    private static void Unpack(string archive, string destination)
    {
        Directory.CreateDirectory(destination);
        try
        {
            if (archive.EndsWith(".zip", StringComparison.Ordinal))
            {
                ZipFile.ExtractToDirectory(archive, destination);
                return;
            }

            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            TarFile.ExtractToDirectory(gzip, destination, overwriteFiles: false);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException)
        {
            throw new CakeException($"The Helm archive {System.IO.Path.GetFileName(archive)} cannot be unpacked ({exception.Message}). Nothing was installed.");
        }
    }
}
