using Microsoft.Extensions.Configuration;
using OrleansLicenses.Signing;

namespace OrleansLicenses.Sync;

/// <summary>
/// The root certificates of lower libraries whose licences this library aggregates (<c>Sync:TrustedRoots</c>: a list
/// of certificates, each base64 DER or PEM). A pushed record is accepted only when its unit certificate chains to
/// one of them at the signing time, and a document of an aggregated licence verifies here against the same root.
/// This library's own root is not among them: a lower library cannot push licences in this library's name.
/// </summary>
public sealed class TrustedRoots
{
    public const string Section = "Sync:TrustedRoots";

    private readonly IConfiguration configuration;
    private string loadedFrom = "\0";
    private IReadOnlyList<byte[]> roots = [];

    public TrustedRoots(IConfiguration configuration) => this.configuration = configuration;

    /// <summary>The configured roots (read again when the configuration changes).</summary>
    public IReadOnlyList<byte[]> LowerRoots
    {
        get
        {
            var values = configuration.GetSection(Section).GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
            var key = string.Join('\n', values);
            if (key != loadedFrom)
            {
                roots = values.Select(v => Decode(v!)).ToList();
                loadedFrom = key;
            }

            return roots;
        }
    }

    /// <summary>The lower root that <paramref name="certificate"/> chains to at <paramref name="at"/>, or null.</summary>
    public byte[]? FindRoot(ReadOnlySpan<byte> certificate, DateTimeOffset at)
    {
        foreach (var root in LowerRoots)
        {
            if (CertificateAuthority.VerifyChain(certificate, root, at) == CertificateChainStatus.Valid)
            {
                return root;
            }
        }

        return null;
    }

    /// <summary>Base64 DER, or a PEM block.</summary>
    public static byte[] Decode(string value)
    {
        var text = value.Trim();
        if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            var body = string.Concat(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));
            return Convert.FromBase64String(body);
        }

        return Convert.FromBase64String(text);
    }
}
