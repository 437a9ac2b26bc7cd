namespace OrleansLicenses.Clients;

/// <summary>Persistent state of a registered system client. The secret is kept only as a salted hash.</summary>
public sealed class ClientState
{
    public string? Name { get; set; }
    public string Role { get; set; } = "";
    public string? UnitCode { get; set; }
    public string? RegionCode { get; set; }
    public string SecretHash { get; set; } = "";
    public bool Enabled { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public string RegisteredBy { get; set; } = "";

    /// <summary>Bumped by every disable and secret rotation; a token minted under an older version is refused.</summary>
    public int Version { get; set; }

    /// <summary>Failed authentications per source address (bounded), for the temporary lock-out.</summary>
    public Dictionary<string, FailureCounter>? Failures { get; set; }
}

public sealed class FailureCounter
{
    public int Count { get; set; }
    public DateTimeOffset LastFailure { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
}
