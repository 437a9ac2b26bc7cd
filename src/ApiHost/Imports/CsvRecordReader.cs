using System.Text;

namespace OrleansLicenses.ApiHost.Imports;

/// <summary>
/// Streams the records of an RFC 4180 CSV text: comma-separated, fields optionally in double quotes (a doubled quote
/// inside is one quote; line breaks inside quotes belong to the field), CRLF or LF line ends. The first record is
/// the header (column names). Holds one record at a time, so a file of any length reads in bounded memory.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, string kind)
{
    private readonly char[] buffer = new char[32 * 1024];
    private readonly StringBuilder field = new();
    private readonly List<string> fields = [];
    private int position;
    private int length;
    private bool ended;
    private int line = 1;

    public async IAsyncEnumerable<UploadRecord> ReadAsync()
    {
        var header = await NextAsync();
        if (header is null)
        {
            throw new UploadUnreadableException("body", "is empty: a CSV upload starts with a header line of column names");
        }

        var names = UploadHeader.Check(header.Value.Fields.Select((n, i) => i == 0 ? n.TrimStart('\uFEFF') : n).ToList());
        UploadHeader.RequireColumns(names.ToHashSet(StringComparer.Ordinal), kind);
        while (await NextAsync() is { } record)
        {
            if (record.TooLong)
            {
                yield return UploadRecord.Refused(record.Line, "row", $"is longer than {UploadValues.MaxRecordChars} characters");
            }
            else if (record.Fields.Count == 1 && record.Fields[0].Length == 0)
            {
                continue; // an empty line
            }
            else if (record.Fields.Count != names.Count)
            {
                yield return UploadRecord.Refused(record.Line, "row", $"has {record.Fields.Count} columns, the header has {names.Count}");
            }
            else
            {
                yield return UploadHeader.Record(record.Line, names, record.Fields);
            }
        }
    }

    /// <summary>The next record's fields and the line it starts on, or null at the end of the text.</summary>
    private async ValueTask<(int Line, List<string> Fields, bool TooLong)?> NextAsync()
    {
        fields.Clear();
        field.Clear();
        var start = line;
        var quoted = false;     // inside a quoted field
        var quoteSeen = false;  // a quote inside a quoted field: the end of the field, or the first of a doubled quote
        var any = false;
        var size = 0;
        while (true)
        {
            if (position == length)
            {
                if (ended || (length = await reader.ReadAsync(buffer)) == 0)
                {
                    ended = true;
                    position = length = 0;
                    if (!any)
                    {
                        return null;
                    }

                    fields.Add(field.ToString());
                    return (start, [.. fields], size > UploadValues.MaxRecordChars);
                }

                position = 0;
            }

            var c = buffer[position++];
            any = true;
            if (++size > UploadValues.MaxRecordChars)
            {
                // Too long: read on to the record's end without keeping its characters.
                field.Clear();
            }

            if (quoted)
            {
                if (quoteSeen)
                {
                    quoteSeen = false;
                    if (c == '"')
                    {
                        Append(c, size);
                        continue;
                    }

                    quoted = false; // the closing quote; c is read as outside quotes below
                }
                else if (c == '"')
                {
                    quoteSeen = true;
                    continue;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    Append(c, size);
                    continue;
                }
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    line++;
                    fields.Add(field.ToString());
                    return (start, [.. fields], size > UploadValues.MaxRecordChars);
                default:
                    Append(c, size);
                    break;
            }
        }
    }

    private void Append(char c, int size)
    {
        if (size <= UploadValues.MaxRecordChars)
        {
            field.Append(c);
        }
    }
}
