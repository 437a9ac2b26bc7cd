using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansLicenses.Signing;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): the bytes that get signed for a JSON document.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Object members are sorted by their names as UTF-16 code unit sequences (ordinal); no whitespace is emitted.</item>
/// <item>Strings are emitted per ECMAScript <c>JSON.stringify</c>: only <c>"</c>, <c>\</c> and U+0000..U+001F are escaped
/// (<c>\b \t \n \f \r</c> short forms, otherwise <c>\u00xx</c> with lower-case hex); everything else, including non-ASCII,
/// <c>/</c>, U+007F and U+2028, is written as raw UTF-8. Strings with unpaired surrogates are rejected.</item>
/// <item>Numbers are IEEE-754 doubles written per ECMAScript <c>Number.prototype.toString</c> (the shortest round-trip digits,
/// plain notation for 1e-6 &lt;= |x| &lt; 1e21, exponent form such as <c>1e+21</c> / <c>1e-7</c> otherwise, <c>-0</c> as <c>0</c>).
/// NaN and infinities (and literals that overflow a double, such as <c>1e400</c>) are rejected.</item>
/// <item>Duplicate member names are rejected.</item>
/// </list>
/// Limits: as JCS prescribes, every number is a double, so integers beyond ±2^53 (9007199254740992) and decimals with
/// more than ~17 significant digits are rounded to the nearest double before they are written (for example
/// <c>12345678901234567890</c> becomes <c>12345678901234567000</c>). Values that must survive exactly — identifiers,
/// credit codes, money — belong in JSON strings. The shortest-digit choice relies on .NET's round-trip double formatting
/// (shortest, correctly rounded since .NET Core 3.0). Nesting depth is limited to 256.
/// Unpaired surrogates are rejected: strings are decoded here from the original bytes, and a <see cref="JsonNode"/>'s
/// strings are checked before it is written, because System.Text.Json's writer silently replaces them with U+FFFD.
/// Duplicate names are rejected for every input (a <see cref="JsonElement"/> keeps them; a parsed <see cref="JsonNode"/>
/// keeps them until first accessed).
/// Invalid input raises <see cref="JsonException"/>.
/// </remarks>
public static class JsonCanonicalizer
{
    private const int MaxDepth = 256;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Canonicalizes UTF-8 JSON text. Rejects duplicate member names.</summary>
    /// <exception cref="JsonException">Invalid JSON, duplicate names, non-finite numbers, or invalid strings.</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read())
        {
            throw new JsonException("The input contains no JSON value.");
        }

        var output = new ArrayBufferWriter<byte>(Math.Max(16, utf8Json.Length));
        WriteValue(ref reader, output);

        // With a complete input and no multiple-content support, anything after the value makes Read throw.
        if (reader.Read())
        {
            throw new JsonException("Unexpected data after the JSON value.");
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Canonicalizes JSON text.</summary>
    /// <exception cref="JsonException">Invalid JSON, duplicate names, non-finite numbers, or invalid strings.</exception>
    public static byte[] Canonicalize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Canonicalize(StrictUtf8Bytes(json));
    }

    /// <summary>
    /// Canonicalizes a parsed element (from its original JSON text). A <see cref="JsonElement"/> can hold duplicate
    /// names; they are rejected.
    /// </summary>
    /// <exception cref="JsonException">Duplicate names, non-finite numbers, or invalid strings.</exception>
    public static byte[] Canonicalize(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new JsonException("An undefined JsonElement has no JSON value.");
        }

        return Canonicalize(JsonMarshal.GetRawUtf8Value(element));
    }

    /// <summary>Canonicalizes a node tree; <see langword="null"/> is the JSON literal <c>null</c>.</summary>
    /// <exception cref="JsonException">Non-finite numbers, invalid strings, or values that do not serialize to JSON.</exception>
    public static byte[] Canonicalize(JsonNode? node)
    {
        if (node is null)
        {
            return "null"u8.ToArray();
        }

        var text = new ArrayBufferWriter<byte>(256);
        try
        {
            // System.Text.Json's writer would silently replace an unpaired surrogate with U+FFFD: refuse it first.
            RejectMalformedStrings(node, 0);

            // Then round-trip through UTF-8 text: one code path for every input, and every JsonValue kind
            // (CLR primitives, JsonElement-backed values) is written by System.Text.Json's own writer.
            using var writer = new Utf8JsonWriter(text, new JsonWriterOptions { MaxDepth = MaxDepth });
            node.WriteTo(writer);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // e.g. double.NaN in a JsonValue, a lazily parsed object with duplicate names, an invalid escaped string.
            throw new JsonException("The node cannot be canonicalized: " + ex.Message, ex);
        }

        return Canonicalize(text.WrittenSpan);
    }

    /// <summary>Canonicalizes and returns the result as a string (the UTF-8 bytes decoded), for display and tests.</summary>
    public static string CanonicalizeToString(JsonNode? node) => Encoding.UTF8.GetString(Canonicalize(node));

    /// <summary>Canonicalizes and returns the result as a string (the UTF-8 bytes decoded), for display and tests.</summary>
    public static string CanonicalizeToString(string json) => Encoding.UTF8.GetString(Canonicalize(json));

    /// <summary>
    /// Formats a double as ECMAScript <c>Number.prototype.toString()</c> does (radix 10), which is the JCS number form.
    /// </summary>
    /// <exception cref="JsonException">NaN or an infinity.</exception>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new JsonException("NaN and infinities are not valid in canonical JSON.");
        }

        if (value == 0)
        {
            return "0"; // also -0
        }

        bool negative = value < 0;

        // "R" yields the shortest digit string that round-trips (correctly rounded) on .NET Core 3.0+,
        // e.g. "123.456", "1E+21", "5E-324", "1.7976931348623157E+308".
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);

        int exponentIndex = r.IndexOf('E', StringComparison.Ordinal);
        string mantissa = exponentIndex < 0 ? r : r[..exponentIndex];
        int exponent = exponentIndex < 0 ? 0 : int.Parse(r.AsSpan(exponentIndex + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : string.Concat(mantissa.AsSpan(0, dot), mantissa.AsSpan(dot + 1));
        int pointPosition = (dot < 0 ? mantissa.Length : dot) + exponent;

        // Normalise to digits without leading/trailing zeros: value = 0.d1d2...dk * 10^n.
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..];
        pointPosition -= leading;
        digits = digits.TrimEnd('0');

        int k = digits.Length;
        int n = pointPosition;
        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            // Integer: digits followed by n-k zeros.
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            int e = n - 1;
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static void WriteValue(ref Utf8JsonReader reader, ArrayBufferWriter<byte> output)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                output.Write("null"u8);
                break;
            case JsonTokenType.True:
                output.Write("true"u8);
                break;
            case JsonTokenType.False:
                output.Write("false"u8);
                break;
            case JsonTokenType.Number:
                WriteNumber(output, reader.ValueSpan);
                break;
            case JsonTokenType.String:
                WriteString(output, ReadString(ref reader));
                break;
            case JsonTokenType.StartArray:
            {
                output.Write("["u8);
                bool first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!first)
                    {
                        output.Write(","u8);
                    }

                    first = false;
                    WriteValue(ref reader, output);
                }

                output.Write("]"u8);
                break;
            }

            case JsonTokenType.StartObject:
            {
                var members = new List<KeyValuePair<string, byte[]>>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    // The reader guarantees a PropertyName token here.
                    string name = ReadString(ref reader);
                    if (!names.Add(name))
                    {
                        throw new JsonException($"Duplicate member name \"{name}\" in JSON object.");
                    }

                    reader.Read();
                    var value = new ArrayBufferWriter<byte>(64);
                    WriteValue(ref reader, value);
                    members.Add(new KeyValuePair<string, byte[]>(name, value.WrittenSpan.ToArray()));
                }

                // RFC 8785 3.2.3: sort by UTF-16 code units, i.e. ordinal string comparison.
                members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));

                output.Write("{"u8);
                for (int i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        output.Write(","u8);
                    }

                    WriteString(output, members[i].Key);
                    output.Write(":"u8);
                    output.Write(members[i].Value);
                }

                output.Write("}"u8);
                break;
            }

            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType}.");
        }
    }

    private static void WriteNumber(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> literal)
    {
        // Number tokens are plain ASCII (the reader validated the JSON number grammar).
        if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw new JsonException($"The number {Encoding.ASCII.GetString(literal)} is not representable as a finite IEEE-754 double.");
        }

        output.Write(Encoding.ASCII.GetBytes(FormatNumber(value)));
    }

    /// <summary>
    /// Decodes a string or property-name token from its raw bytes. Done here rather than with
    /// <see cref="Utf8JsonReader.GetString"/>, which silently turns an escaped unpaired surrogate into U+FFFD.
    /// </summary>
    private static string ReadString(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return DecodeUtf8(raw);
        }

        var builder = new StringBuilder(raw.Length);
        int i = 0;
        while (i < raw.Length)
        {
            int backslash = raw[i..].IndexOf((byte)'\\');
            if (backslash < 0)
            {
                builder.Append(DecodeUtf8(raw[i..]));
                break;
            }

            builder.Append(DecodeUtf8(raw.Slice(i, backslash)));
            i += backslash + 1;
            byte escape = raw[i++];
            switch (escape)
            {
                case (byte)'"': builder.Append('"'); break;
                case (byte)'\\': builder.Append('\\'); break;
                case (byte)'/': builder.Append('/'); break;
                case (byte)'b': builder.Append('\b'); break;
                case (byte)'f': builder.Append('\f'); break;
                case (byte)'n': builder.Append('\n'); break;
                case (byte)'r': builder.Append('\r'); break;
                case (byte)'t': builder.Append('\t'); break;
                case (byte)'u':
                    builder.Append((char)int.Parse(raw.Slice(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default:
                    throw new JsonException("Invalid escape sequence in a JSON string.");
            }
        }

        string result = builder.ToString();
        if (!IsWellFormedUtf16(result))
        {
            throw new JsonException("A JSON string contains an unpaired UTF-16 surrogate, which canonical JSON cannot represent.");
        }

        return result;
    }

    private static void RejectMalformedStrings(JsonNode? node, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new JsonException($"JSON nesting exceeds {MaxDepth} levels.");
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (KeyValuePair<string, JsonNode?> member in obj)
                {
                    if (!IsWellFormedUtf16(member.Key))
                    {
                        throw new JsonException("A JSON member name contains an unpaired UTF-16 surrogate, which canonical JSON cannot represent.");
                    }

                    RejectMalformedStrings(member.Value, depth + 1);
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    RejectMalformedStrings(item, depth + 1);
                }

                break;
            case JsonValue value when value.TryGetValue(out string? text) && !IsWellFormedUtf16(text):
                throw new JsonException("A JSON string contains an unpaired UTF-16 surrogate, which canonical JSON cannot represent.");
        }
    }

    private static bool IsWellFormedUtf16(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new JsonException("A JSON string is not valid UTF-8.", ex);
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string value)
    {
        output.Write("\""u8);
        int runStart = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            WriteRaw(output, value.AsSpan(runStart, i - runStart));
            runStart = i + 1;
            switch (c)
            {
                case '"':
                    output.Write("\\\""u8);
                    break;
                case '\\':
                    output.Write("\\\\"u8);
                    break;
                case '\b':
                    output.Write("\\b"u8);
                    break;
                case '\f':
                    output.Write("\\f"u8);
                    break;
                case '\n':
                    output.Write("\\n"u8);
                    break;
                case '\r':
                    output.Write("\\r"u8);
                    break;
                case '\t':
                    output.Write("\\t"u8);
                    break;
                default:
                    output.Write(Encoding.ASCII.GetBytes("\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture)));
                    break;
            }
        }

        WriteRaw(output, value.AsSpan(runStart));
        output.Write("\""u8);
    }

    private static void WriteRaw(ArrayBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        try
        {
            int count = StrictUtf8.GetByteCount(text);
            int written = StrictUtf8.GetBytes(text, output.GetSpan(count));
            output.Advance(written);
        }
        catch (EncoderFallbackException ex)
        {
            throw new JsonException("A JSON string contains an unpaired UTF-16 surrogate, which canonical JSON cannot represent.", ex);
        }
    }

    private static byte[] StrictUtf8Bytes(string text)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new JsonException("The JSON text contains an unpaired UTF-16 surrogate.", ex);
        }
    }
}
