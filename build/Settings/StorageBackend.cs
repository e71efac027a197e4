namespace Registry.Build.Settings;

/// <summary>Where the registry keeps the images.</summary>
public enum StorageBackend
{
    /// <summary>A PersistentVolumeClaim: one node, unless the class offers ReadWriteMany.</summary>
    Filesystem,

    /// <summary>An S3 API: AWS S3, MinIO, Ceph RGW, Cloudflare R2.</summary>
    S3,

    /// <summary>Google Cloud Storage.</summary>
    Gcs,

    /// <summary>Azure Blob Storage.</summary>
    Azure,
}
