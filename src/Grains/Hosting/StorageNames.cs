namespace OrleansLicenses.Hosting;

/// <summary>Names shared by the grains and the silo's provider registration.</summary>
public static class StorageNames
{
    /// <summary>The one ADO.NET grain storage provider (PostgreSQL).</summary>
    public const string Store = "pg";
}
