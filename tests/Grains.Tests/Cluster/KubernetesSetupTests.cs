using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
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

    [Fact]
    public void InKubernetes_TheSiloTakesThePodsAddressAndLabels_ListensOnAll_WithItsOwnPorts_AndWatchesThePods()
    {
        // What the kubelet gives the pod (silo.yaml): its name, namespace, IP, and the ids from its Orleans labels.
        // Process-wide, but only read by hosts with Kubernetes hosting on, which no other test enables.
        var pod = new Dictionary<string, string>
        {
            [KubernetesHostingOptions.PodNameEnvironmentVariable] = "orleans-licenses-silo-7d9f-abcde",
            [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "orleans-licenses",
            [KubernetesHostingOptions.PodIPEnvironmentVariable] = "10.244.1.17",
            [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = "from-the-label",
        };
        foreach (var (name, value) in pod)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            IServiceCollection? services = null;
            using var host = SiloSetup.BuildHost([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Database=unused",
                [KubernetesSetup.EnabledSetting] = "true",
                ["Orleans:SiloPort"] = "11222",
                ["Orleans:GatewayPort"] = "30222",
                ["Orleans:ClusterId"] = "from-configuration",
                ["Orleans:Tls:Disabled"] = "true",
            }), silo: s => services = s.Services);

            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 11222), endpoints.SiloListeningEndpoint);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 30222), endpoints.GatewayListeningEndpoint);
            Assert.Equal("from-the-label", host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
            Assert.Equal("orleans-licenses-silo-7d9f-abcde", host.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            // The agent that watches the pods (not resolved here: it needs the Kubernetes API's in-cluster credentials).
            Assert.Contains(services!, d => d.ImplementationType?.Name == "KubernetesClusterAgent");
        }
        finally
        {
            foreach (var name in pod.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public void OutsideKubernetes_TheSiloAdvertisesItsConfiguredAddress()
    {
        using var host = SiloSetup.BuildHost([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Database=unused",
            [KubernetesSetup.EnabledSetting] = "false",
            ["Orleans:SiloPort"] = "11223",
            ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans:Tls:Disabled"] = "true",
        }));

        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Null(endpoints.SiloListeningEndpoint);
    }
}
