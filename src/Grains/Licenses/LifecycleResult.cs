using System.Diagnostics.CodeAnalysis;
using OrleansLicenses.Errors;

namespace OrleansLicenses.Licenses;

/// <summary>Why an event was refused. <paramref name="Kind"/> is <see cref="DomainErrorKind.Invalid"/> (400) or <see cref="DomainErrorKind.Conflict"/> (409).</summary>
/// <param name="Kind">Invalid (400, the event is malformed) or Conflict (409, the licence's state refuses it).</param>
/// <param name="Code">Stable code from <see cref="LifecycleCodes"/>.</param>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Field">The request field at fault, for <see cref="DomainErrorKind.Invalid"/>.</param>
public sealed record LifecycleRejection(
    DomainErrorKind Kind,
    string Code,
    string Message,
    string? Field = null)
{
    public DomainException ToException() => new(Kind, Code, Message, Field);
}

/// <summary>The outcome of <see cref="LicenseLifecycle.Apply"/>: the new lifecycle, or a rejection. Expected refusals are values, not exceptions.</summary>
public sealed class LifecycleResult
{
    private LifecycleResult(Lifecycle? lifecycle, bool newVersion, IReadOnlyList<LifecycleRejection> rejections)
    {
        Lifecycle = lifecycle;
        NewVersion = newVersion;
        Rejections = rejections;
    }

    /// <summary>The lifecycle after the event, when accepted.</summary>
    public Lifecycle? Lifecycle { get; }

    /// <summary>True when the event made a new version (extend, change): the caller issues the next identifier and re-signs.</summary>
    public bool NewVersion { get; }

    /// <summary>The first (or only) reason the event was refused.</summary>
    public LifecycleRejection? Rejection => Rejections.Count == 0 ? null : Rejections[0];

    /// <summary>Every reason: one per bad field of a malformed event (400), or the one state conflict (409).</summary>
    public IReadOnlyList<LifecycleRejection> Rejections { get; }

    [MemberNotNullWhen(true, nameof(Lifecycle))]
    public bool Accepted => Lifecycle is not null;

    [MemberNotNullWhen(true, nameof(Rejection))]
    public bool Rejected => Rejection is not null;

    public static LifecycleResult Accept(Lifecycle lifecycle, bool newVersion)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        return new(lifecycle, newVersion, []);
    }

    public static LifecycleResult Reject(LifecycleRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return new(null, false, [rejection]);
    }

    public static LifecycleResult Reject(IReadOnlyList<LifecycleRejection> rejections)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rejections.Count);
        return new(null, false, rejections);
    }

    /// <summary>
    /// The new lifecycle, or the refusal thrown as a <see cref="DomainException"/> (for grains): one 400 naming every
    /// bad field of a malformed event, or the conflict.
    /// </summary>
    public Lifecycle GetOrThrow()
    {
        if (Accepted)
        {
            return Lifecycle;
        }

        if (Rejections.All(r => r.Kind == DomainErrorKind.Invalid && r.Field is not null))
        {
            throw new DomainException(Rejections[0].Code, [.. Rejections.Select(r => new FieldError(r.Field!, r.Message))]);
        }

        throw Rejections[0].ToException();
    }

    public override string ToString() => Accepted
        ? $"accepted{(NewVersion ? " (new version)" : "")}: {Lifecycle}"
        : $"rejected {Rejection!.Kind} {Rejection.Code}: {Rejection.Message}";
}
