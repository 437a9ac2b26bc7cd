using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;

namespace OrleansLicenses.ApiHost.Imports;

/// <summary>
/// Which text encoding an upload is in: the <c>charset</c> of its Content-Type when given (utf-8, gb18030 and its
/// subsets gbk/gb2312), else UTF-8 when it starts with the UTF-8 byte-order mark or its first 64 KiB are valid
/// UTF-8, else GB18030. The decoders throw on bytes invalid in the encoding, so nothing is silently replaced.
/// </summary>
public static class UploadEncoding
{
    public const string Utf8Name = "utf-8";
    public const string Gb18030Name = "gb18030";
    private const int SampleBytes = 64 * 1024;

    static UploadEncoding() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The encoding's name, or null when the charset given is not one this reads.</summary>
    public static string? FromContentType(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media) || media.Charset.Length == 0)
        {
            return "";
        }

        return media.Charset.Value!.Trim('"').ToLowerInvariant() switch
        {
            "utf-8" or "utf8" => Utf8Name,
            "gb18030" or "gbk" or "gb2312" => Gb18030Name,
            _ => null,
        };
    }

    /// <summary>Looks at the start of the body (consuming nothing) and names its encoding.</summary>
    public static async Task<string> SniffAsync(PipeReader body, CancellationToken ct)
    {
        while (true)
        {
            var result = await body.ReadAsync(ct);
            var buffer = result.Buffer;
            if (result.IsCompleted || buffer.Length >= SampleBytes)
            {
                var sample = buffer.Slice(0, Math.Min(buffer.Length, SampleBytes)).ToArray();
                body.AdvanceTo(buffer.Start);
                return IsUtf8(sample, complete: result.IsCompleted && buffer.Length <= SampleBytes) ? Utf8Name : Gb18030Name;
            }

            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>A strict decoder of the named encoding.</summary>
    public static Encoding Of(string name) => name == Utf8Name
        ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true)
        : Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    private static bool IsUtf8(byte[] sample, bool complete)
    {
        if (sample.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return true;
        }

        // A sample cut off in the middle of a character is valid once the cut character is left out.
        for (var cut = 0; cut <= (complete ? 0 : 3) && cut <= sample.Length; cut++)
        {
            if (Utf8.IsValid(sample.AsSpan(0, sample.Length - cut)))
            {
                return true;
            }
        }

        return false;
    }
}
