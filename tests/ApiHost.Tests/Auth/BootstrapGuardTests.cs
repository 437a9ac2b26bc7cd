using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using OrleansLicenses.ApiHost.Auth;

namespace OrleansLicenses.Tests.Auth;

public sealed class BootstrapGuardTests
{
    [Theory]
    [InlineData("admin")]
    [InlineData("changeme")]
    [InlineData("short-secret-123")]
    public void WeakOrDefaultBootstrapSecret_IsRefusedOutsideDevelopment(string secret)
    {
        Assert.Throws<InvalidOperationException>(() => BootstrapGuard.Check(Config(secret), new Environment("Production")));
        BootstrapGuard.Check(Config(secret), new Environment("Development")); // allowed for local use
    }

    [Fact]
    public void StrongBootstrapSecret_IsAcceptedInProduction() =>
        BootstrapGuard.Check(Config("k3J9-pQ2x_Vt7LmZ8wRb4NcY6hD1sF0e"), new Environment("Production"));

    private static IConfiguration Config(string secret) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Bootstrap:AdminClientSecret"] = secret }).Build();

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = "/";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
