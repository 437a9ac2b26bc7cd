namespace OrleansLicenses.Errors;

/// <summary>A rule broken by a request, named by the field it is about.</summary>
[GenerateSerializer, Immutable, Alias("ol.FieldError")]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Message);
