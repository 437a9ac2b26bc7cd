using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace OrleansLicenses.Silo.Hosting;

/// <summary>
/// How fast the cluster gives up on a silo that stopped answering (<c>Orleans:Membership</c>, bound onto
/// <see cref="ClusterMembershipOptions"/>). Until a dead silo is declared dead, calls to the grains it held wait for
/// placement and answer 503; the operations drill asks for service back within 10 s of a <c>kill -9</c>
/// (<c>bench/drills.sh</c>, drill 1). Orleans' own defaults (5 s probes, 3 missed) took 11 s on this kind of machine.
/// The platform probes every 2 s and declares a silo dead after 3 missed probes and 2 votes: about 6 s. False
/// suspicions of a live silo that is only slow (GC, a starved core) stay unlikely because Orleans suppresses votes
/// while the connection to the suspect still carries traffic (<see cref="ClusterMembershipOptions.EnableConnectionLivenessCheck"/>)
/// and lengthens its probe timeout while the local silo is degraded.
/// Every value can be set in configuration, e.g. <c>Orleans__Membership__ProbeTimeout=00:00:05</c>.
/// </summary>
public static class MembershipSetup
{
    public const string Section = "Orleans:Membership";

    public static ISiloBuilder UsePlatformMembership(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<ClusterMembershipOptions>()
            .Configure(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 3;
                o.NumVotesForDeathDeclaration = 2;
                // The survivors learn of a death by gossip at once; the table read is the safety net.
                o.TableRefreshTimeout = TimeSpan.FromSeconds(10);
            })
            .BindConfiguration(Section);
        return silo;
    }
}
