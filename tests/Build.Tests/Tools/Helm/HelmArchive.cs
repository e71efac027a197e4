using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Registry.Build.Tools.Helm;

namespace Registry.Build.Tests.Tools.Helm;

/// <summary>A Helm release archive as get.helm.sh publishes it, with a stand-in helm, and its checksum file.</summary>
public static class HelmArchive
{
    public static string Name(string version) => $"helm-{version}-{HelmDownload.Platform()}.tar.gz";

    public static byte[] Create(string helmScript)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{HelmDownload.Platform()}/helm")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(helmScript)),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{HelmDownload.Platform()}/LICENSE")
            {
                DataStream = new MemoryStream("Apache-2.0"u8.ToArray()),
            });
        }

        return output.ToArray();
    }

    public static byte[] Checksum(byte[] archive, string name) =>
        Encoding.UTF8.GetBytes($"{Convert.ToHexStringLower(SHA256.HashData(archive))}  {name}\n");
}
