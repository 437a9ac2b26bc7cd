using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansLicenses.Access;
using OrleansLicenses.Corrections;
using OrleansLicenses.Licenses;
using OrleansLicenses.Tests.Licenses;

namespace OrleansLicenses.Tests.Corrections;

/// <summary>Clusters with a movable calendar and a one-second deadline check, and helpers to look at notifications.</summary>
internal static class CorrectionWorld
{
    public static readonly Caller Operator = new("admin", Roles.Admin, null, null, "t");

    /// <summary>Reminders tick every second (on the real clock); deadlines are counted on <paramref name="calendar"/>.</summary>
    public static Task<InProcessTestCluster> StartAsync(string connectionString, FakeTimeProvider calendar) =>
        TestClusters.StartAsync(connectionString, configureSilo: silo =>
        {
            new PlatformTestClock(calendar).Register(silo);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.PostConfigure<CorrectionOptions>(o => o.DeadlineCheckPeriod = TimeSpan.FromSeconds(1));
        });

    /// <summary>
    /// Stops (or kills) every silo and gives the database's connections back: idle pooled connections would otherwise
    /// stay open for minutes, and the shared test server's connection limit is shared by every test in the run.
    /// </summary>
    public static async Task StopAsync(InProcessTestCluster cluster, string connectionString, bool kill = false)
    {
        try
        {
            if (kill)
            {
                foreach (var silo in cluster.Silos.ToList())
                {
                    await cluster.KillSiloAsync(silo);
                }
            }
            else
            {
                await cluster.StopAllSilosAsync();
            }

            await cluster.DisposeAsync();
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    public static Caller HolderCaller(HolderRef holder) => new(holder.Key, Roles.Holder, null, null, "t");

    /// <summary>Issues a food licence to a new holder; returns the licence number and the holder.</summary>
    public static async Task<(string Number, HolderRef Holder, LicenseView View)> IssueAsync(IGrainFactory grains, DateTimeOffset now)
    {
        var holder = LicenseWorld.NewHolder();
        var number = LicenseWorld.Number(LicenseWorld.NewSerial("CR"));
        var view = await grains.GetGrain<ILicenseGrain>(number).IssueAsync(
            LicenseWorld.Issue(holder, DateOnly.FromDateTime(now.UtcDateTime)), LicenseWorld.Issuer);
        return (number, holder, view);
    }

    public static FileCorrection Filing(LicenseView licence, string cause = CorrectionNames.CauseData) =>
        new(licence.Id, licence.LicenseNumber, new Dictionary<string, string> { ["address"] = "哈尔滨市南岗区示例路2号" }, "经营场所门牌号有误", cause);

    /// <summary>(recipient, kind, stage) of every notification of a request, in order.</summary>
    public static async Task<List<(string Recipient, string Kind, string Stage)>> NotificationsAsync(string connectionString, string correctionId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT recipient, kind, stage FROM notifications WHERE correction_id = $1 ORDER BY created_at, recipient", connection);
        cmd.Parameters.AddWithValue(correctionId);
        var rows = new List<(string, string, string)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    /// <summary>Waits (bounded) until the request has at least <paramref name="count"/> escalation notifications.</summary>
    public static async Task<List<(string Recipient, string Kind, string Stage)>> AwaitEscalationsAsync(string connectionString, string correctionId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var escalations = (await NotificationsAsync(connectionString, correctionId)).Where(n => n.Kind == "escalated").ToList();
            if (escalations.Count >= count || DateTime.UtcNow > deadline)
            {
                return escalations;
            }

            await Task.Delay(200);
        }
    }
}
