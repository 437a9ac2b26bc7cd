using Npgsql;
using OrleansLicenses.Hosting;
using Xunit;

namespace OrleansLicenses.Tests.Operations;

/// <summary>What the platform adds to the configured connection string, and that an operator's own setting wins.</summary>
public sealed class PostgresConnectionStringsTests
{
    [Fact]
    public void ForPlatform_AddsNoResetOnCloseAndAFiveSecondConnectTimeout()
    {
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.ForPlatform("Host=127.0.0.1;Database=x;Username=y"));

        Assert.True(built.NoResetOnClose);
        Assert.Equal(5, built.Timeout);
        Assert.Equal("127.0.0.1", built.Host);
    }

    [Fact]
    public void ForPlatform_KeepsWhatTheOperatorSet()
    {
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.ForPlatform("Host=db;Timeout=20;No Reset On Close=false"));

        Assert.False(built.NoResetOnClose);
        Assert.Equal(20, built.Timeout);
    }
}
