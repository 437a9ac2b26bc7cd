using Npgsql;
using NpgsqlTypes;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Cluster;

namespace OrleansLicenses.Tests.Licenses;

/// <summary>
/// The effective status has one rule with two forms: <see cref="LicenseLifecycle.EffectiveStatus"/>, which the
/// grains apply, and <c>license_effective_status</c> in SQL, which search and statistics apply to the read model.
/// They must answer alike for every stored status and every position of either end date relative to today.
/// </summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class EffectiveStatusTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task SqlFunction_AnswersAsTheLifecycleRule_ForEveryStatusAndEveryEndDate()
    {
        var today = TestCalendar.Today;
        DateOnly?[] ends = [null, today.AddDays(-400), today.AddDays(-1), today, today.AddDays(1), today.AddDays(400)];
        var cases = (
            from status in Enum.GetValues<LicenseStatus>()
            from validUntil in ends
            from suspendedUntil in ends
            select (status, validUntil, suspendedUntil)).ToList();

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var (status, validUntil, suspendedUntil) in cases)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT license_effective_status($1, $2, $3, $4)")
            {
                Parameters =
                {
                    new() { Value = status.ToWireName(), NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = (object?)validUntil ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date },
                    new() { Value = (object?)suspendedUntil ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date },
                    new() { Value = today, NpgsqlDbType = NpgsqlDbType.Date },
                },
            });
        }

        var fromSql = new List<string>();
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            do
            {
                Assert.True(await reader.ReadAsync());
                fromSql.Add(reader.GetString(0));
            }
            while (await reader.NextResultAsync());
        }

        var differences = cases.Zip(fromSql)
            .Where(p => p.Second != LicenseLifecycle.EffectiveStatus(p.First.status, p.First.validUntil, p.First.suspendedUntil, today).ToWireName())
            .Select(p => $"{p.First} -> sql {p.Second}")
            .ToList();
        Assert.Equal(cases.Count, fromSql.Count);
        Assert.Empty(differences);
        // The table is not trivially uniform: each outcome the rule knows occurs.
        Assert.Superset(new HashSet<string> { "valid", "suspended", "expired", "revoked" }, fromSql.ToHashSet());
    }
}
