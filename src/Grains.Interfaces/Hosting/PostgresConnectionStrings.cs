using System.Data.Common;

namespace OrleansLicenses.Hosting;

/// <summary>What the platform's processes add to the configured PostgreSQL connection string.</summary>
public static class PostgresConnectionStrings
{
    /// <summary>
    /// <c>No Reset On Close</c> unless the operator set it: a pooled connection is otherwise reset (<c>DISCARD ALL</c>,
    /// which also throws away prepared statements) every time it is taken again, and the grains take one per read and
    /// per commit. Nothing in the platform leaves session state behind (settings are transaction-local), so the reset
    /// only costs.
    /// <c>Timeout</c> (opening a connection) is 5 s unless set: Npgsql's 15 s would hold a request well past the
    /// grain call timeout when the database host stops answering (not refusing) connections; a shorter wait turns
    /// into a 503 sooner and frees the pool slot for the retry.
    /// </summary>
    public static string ForPlatform(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!builder.ContainsKey("No Reset On Close") && !builder.ContainsKey("NoResetOnClose"))
        {
            builder["No Reset On Close"] = "true";
        }

        if (!builder.ContainsKey("Timeout"))
        {
            builder["Timeout"] = "5";
        }

        return builder.ConnectionString;
    }
}
