using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OrleansLicenses.ApiHost.Verification;

namespace OrleansLicenses.Tests.Verification;

public sealed class PresentationTokenTests
{
    private static PresentationTokens Tokens(TimeProvider time) => new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Presentations:SigningKey"] = Convert.ToBase64String(new byte[32]) }).Build(),
        new TestEnvironment(), time);

    [Fact]
    public void Token_IsAcceptedUntilItExpires_ThenRefused()
    {
        var time = TestCalendar.NewCalendar();
        var tokens = Tokens(time);
        var (token, expires) = tokens.Create("id", "001", "001:x", "purpose", 300);
        Assert.Equal(time.GetUtcNow().AddSeconds(300), expires);
        Assert.NotNull(tokens.Validate(token, out _));
        time.Advance(TimeSpan.FromSeconds(301));
        Assert.Null(tokens.Validate(token, out var reason));
        Assert.Equal("has expired", reason);
    }

    [Fact]
    public void Tokens_AreUnique_AndAnyChangeIsDetected()
    {
        var tokens = Tokens(TimeProvider.System);
        var (a, _) = tokens.Create("id", "001", "001:x", "purpose", 300);
        var (b, _) = tokens.Create("id", "001", "001:x", "purpose", 300);
        Assert.NotEqual(a, b);
        for (var i = 0; i < a.Length; i += 7)
        {
            var changed = a[..i] + (a[i] == 'A' ? 'B' : 'A') + a[(i + 1)..];
            Assert.Null(tokens.Validate(changed, out _));
        }
    }

    [Fact]
    public void Token_RevealsNothing_OfTheHolderOrLicence()
    {
        var tokens = Tokens(TimeProvider.System);
        var (token, _) = tokens.Create("1.2.156.3005.2.X", "001", "111:230102198506151234", "就诊备案", 300);
        var bytes = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token);
        var text = System.Text.Encoding.UTF8.GetString(bytes) + System.Text.Encoding.Latin1.GetString(bytes);
        Assert.DoesNotContain("230102198506151234", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1.2.156", text, StringComparison.Ordinal);
        Assert.Equal("111:230102198506151234", tokens.Validate(token, out _)!.Hk);
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = "/";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
