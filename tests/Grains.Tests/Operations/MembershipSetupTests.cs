using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansLicenses.Silo.Hosting;
using Xunit;

namespace OrleansLicenses.Tests.Operations;

/// <summary>The platform's failure-detection settings, and that configuration overrides each of them.</summary>
public sealed class MembershipSetupTests
{
    [Fact]
    public void Platform_defaults_declare_a_silo_dead_well_within_ten_seconds()
    {
        var options = Resolve(new Dictionary<string, string?>());

        Assert.Equal(TimeSpan.FromSeconds(2), options.ProbeTimeout);
        Assert.Equal(3, options.NumMissedProbesLimit);
        Assert.Equal(2, options.NumVotesForDeathDeclaration);
        Assert.True(options.ProbeTimeout * options.NumMissedProbesLimit < TimeSpan.FromSeconds(10));
        Assert.True(options.EnableConnectionLivenessCheck, "votes against a silo whose connection still carries traffic stay suppressed");
    }

    [Fact]
    public void Configuration_overrides_the_defaults()
    {
        var options = Resolve(new Dictionary<string, string?>
        {
            ["Orleans:Membership:ProbeTimeout"] = "00:00:05",
            ["Orleans:Membership:NumMissedProbesLimit"] = "4",
        });

        Assert.Equal(TimeSpan.FromSeconds(5), options.ProbeTimeout);
        Assert.Equal(4, options.NumMissedProbesLimit);
        Assert.Equal(TimeSpan.FromSeconds(10), options.TableRefreshTimeout);
    }

    private static ClusterMembershipOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        new Builder(services, configuration).UsePlatformMembership();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
    }

    private sealed class Builder(IServiceCollection services, IConfiguration configuration) : ISiloBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IConfiguration Configuration { get; } = configuration;
    }
}
