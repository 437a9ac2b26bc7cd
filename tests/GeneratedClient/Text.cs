using Microsoft.Kiota.Abstractions.Serialization;

namespace OrleansLicenses.GeneratedClient;

/// <summary>
/// A string member of the generated models. While the served document gives string properties an empty schema
/// (<c>{}</c>), Kiota types them <see cref="UntypedNode"/>; once they are typed <c>string</c>, they are strings. A
/// <see cref="Text"/> converts to either, and <see cref="Read(UntypedNode?, string)"/> has an overload for each, so the
/// driver compiles against both shapes of the document.
/// </summary>
public readonly record struct Text(string Value)
{
    public static implicit operator string(Text text) => text.Value;

    public static implicit operator UntypedNode(Text text) => new UntypedString(text.Value);

    /// <summary>The string an answer carried, or a failure naming the member the platform left out.</summary>
    public static string Read(UntypedNode? node, string member) =>
        (node as UntypedString)?.GetValue() ?? throw new InvalidOperationException($"The answer has no string '{member}' (got {node?.GetType().Name ?? "nothing"}).");

    public static string Read(string? value, string member) =>
        value ?? throw new InvalidOperationException($"The answer has no '{member}'.");

    public static string? ReadOptional(UntypedNode? node) => (node as UntypedString)?.GetValue();

    public static string? ReadOptional(string? value) => value;
}
