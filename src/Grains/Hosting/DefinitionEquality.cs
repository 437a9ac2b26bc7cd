using System.Text.Json;

namespace OrleansLicenses.Hosting;

/// <summary>
/// Structural equality of definitions that hold lists (records compare lists by reference): two definitions are
/// the same when their JSON forms are, which is also what the read model stores.
/// </summary>
public static class DefinitionEquality
{
    public static bool Same<T>(T a, T b) =>
        JsonSerializer.SerializeToUtf8Bytes(a).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(b));
}
