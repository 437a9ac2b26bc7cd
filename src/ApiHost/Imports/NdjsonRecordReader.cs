using System.Globalization;
using System.Text.Json;

namespace OrleansLicenses.ApiHost.Imports;

/// <summary>
/// Streams the records of a JSON Lines text: one JSON object per line, members named like the CSV columns, values
/// strings (numbers and booleans are taken as their text, null as absent). Empty lines are skipped; line numbers
/// count every line. One line at a time is held.
/// </summary>
public sealed class NdjsonRecordReader(TextReader reader)
{
    public async IAsyncEnumerable<UploadRecord> ReadAsync()
    {
        var line = 0;
        while (await reader.ReadLineAsync() is { } text)
        {
            line++;
            if (line == 1)
            {
                text = text.TrimStart('\uFEFF');
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            yield return text.Length > UploadValues.MaxRecordChars
                ? UploadRecord.Refused(line, "row", $"is longer than {UploadValues.MaxRecordChars} characters")
                : Parse(line, text);
        }
    }

    private static UploadRecord Parse(int line, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            return UploadRecord.Refused(line, "row", "is not a JSON object");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return UploadRecord.Refused(line, "row", "is not a JSON object");
            }

            var names = new List<string>();
            var values = new List<string>();
            foreach (var member in document.RootElement.EnumerateObject())
            {
                string? value = member.Value.ValueKind switch
                {
                    JsonValueKind.String => member.Value.GetString(),
                    JsonValueKind.Number => member.Value.GetRawText(),
                    JsonValueKind.True or JsonValueKind.False => member.Value.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
                    JsonValueKind.Null => null,
                    _ => "\0",
                };
                if (value == "\0")
                {
                    return UploadRecord.Refused(line, member.Name, "must be a string, a number or a boolean");
                }

                if (value is not null)
                {
                    names.Add(member.Name);
                    values.Add(value);
                }
            }

            if (names.Count > UploadValues.MaxColumns || names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            {
                return UploadRecord.Refused(line, "row", $"has a duplicated member or more than {UploadValues.MaxColumns}");
            }

            return UploadHeader.Record(line, names, values);
        }
    }
}
