using Microsoft.Extensions.Configuration;
using OrleansLicenses.Silo.Hosting;

namespace OrleansLicenses.Tests.Cluster;

public sealed class KubernetesSetupTests
{
    [Theory]
    [InlineData(null, null, false)]
    [InlineData(null, "10.96.0.1", true)]
    [InlineData("false", "10.96.0.1", false)]
    [InlineData("true", null, true)]
    public void IsEnabled_BySettingElseByTheKubeletsVariable(string? setting, string? serviceHost, bool expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [KubernetesSetup.EnabledSetting] = setting })
            .Build();

        Assert.Equal(expected, KubernetesSetup.IsEnabled(configuration, name => name == KubernetesSetup.ServiceHostVariable ? serviceHost : null));
    }
}
