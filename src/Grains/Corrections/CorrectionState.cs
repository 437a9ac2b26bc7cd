namespace OrleansLicenses.Corrections;

/// <summary>The durable state of one correction request (stored as JSON in <c>correction_state</c>; bounded: a handful of steps).</summary>
public sealed class CorrectionState
{
    public int Revision { get; set; }
    public string LicenseId { get; set; } = "";
    public string LicenseNumber { get; set; } = "";
    public string TypeCode { get; set; } = "";
    public string IssuerCode { get; set; } = "";

    /// <summary>The requester as a notification recipient: <c>holder:idType:idNumber</c> or <c>unit:code</c>.</summary>
    public string Requester { get; set; } = "";
    public string RequesterRole { get; set; } = "";
    public string Cause { get; set; } = "";
    public string Description { get; set; } = "";
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);
    public string Stage { get; set; } = CorrectionNames.StageIssuer;
    public DateTimeOffset StageStartedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public bool Forwarded { get; set; }
    public string? Outcome { get; set; }

    /// <summary>The operator's correction of a technical cause, applied by the issuer when it closes the request.</summary>
    public Dictionary<string, string>? OperatorFields { get; set; }
    public string? NewVersion { get; set; }
    public string? NewIdentifier { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public List<string> EscalatedStages { get; set; } = [];
    public List<CorrectionStepState> Steps { get; set; } = [];

    /// <summary>What the filing's evidence file is (its content is in <c>correction_evidence</c>, not in state).</summary>
    public CorrectionEvidenceState? Evidence { get; set; }
}

public sealed class CorrectionEvidenceState
{
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public int Size { get; set; }
    public string Sha256 { get; set; } = "";

    public static CorrectionEvidenceState Of(CorrectionEvidence evidence) => new()
    {
        FileName = evidence.FileName, ContentType = evidence.ContentType, Size = evidence.Content.Length, Sha256 = Sha256Of(evidence.Content),
    };

    public static string Sha256Of(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
}

public sealed class CorrectionStepState
{
    public DateTimeOffset At { get; set; }
    public string Action { get; set; } = "";
    public string ActorSubject { get; set; } = "";
    public string ActorRole { get; set; } = "";
    public string? ActorUnit { get; set; }
    public string Stage { get; set; } = "";
    public string? Reason { get; set; }
}

/// <summary>One notification record of a step, to one recipient.</summary>
public sealed record NotificationRow(Guid Id, string Recipient, string Kind, string Stage, string Message, DateTimeOffset At);

/// <summary>Settings bound from the <c>Corrections</c> configuration section.</summary>
public sealed class CorrectionOptions
{
    public const string Section = "Corrections";

    /// <summary>How long each stage may take (art. 15: 3 days).</summary>
    public TimeSpan StageDeadline { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How often an open request's reminder looks at its deadline (Orleans' minimum reminder period applies).</summary>
    public TimeSpan DeadlineCheckPeriod { get; set; } = TimeSpan.FromHours(1);
}
