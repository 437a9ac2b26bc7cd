namespace OrleansLicenses.Sync;

/// <summary>
/// The upper library this deployment pushes to (<c>Upstream:*</c>). Without a base URL nothing is pushed. The settings
/// are read again on every push cycle, so a secret file rotated in place is picked up without a restart.
/// </summary>
public sealed class UpstreamOptions
{
    public const string Section = "Upstream";

    /// <summary>The upper library's API, e.g. <c>https://province.example/</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The id of the sync client the upper library registered for this library.</summary>
    public string? ClientId { get; set; }

    /// <summary>Its secret; or <see cref="ClientSecretFile"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>A file holding the secret (a mounted secret); read when a token is needed.</summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>This library's region (GB/T 2260), sent with every batch; inside the sync client's region.</summary>
    public string? SourceRegion { get; set; }

    /// <summary>Feed partitions, one pusher grain each. Fixed once pushing has started (cursors are per partition).</summary>
    public int Partitions { get; set; } = 4;

    /// <summary>Records per batch.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How often an idle pusher looks at the feed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between attempts while the upper library is unreachable (backoff doubles up to it, with jitter).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one push.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);

    /// <summary>The secret from the setting or the file; null when neither is there yet.</summary>
    public string? Secret() => ClientSecret is { Length: > 0 } s ? s
        : ClientSecretFile is { Length: > 0 } f && File.Exists(f) ? File.ReadAllText(f).Trim() : null;
}
