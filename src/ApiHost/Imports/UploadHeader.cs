using OrleansLicenses.Imports;

namespace OrleansLicenses.ApiHost.Imports;

/// <summary>The column names of an upload: checked once (CSV header), then used to name each record's values.</summary>
public static class UploadHeader
{
    /// <summary>The header's names, trimmed; refuses an empty, duplicated or oversized header as a whole.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<string> names)
    {
        var trimmed = names.Select(n => n.Trim()).ToList();
        if (trimmed.Count > UploadValues.MaxColumns)
        {
            throw new UploadUnreadableException("header", $"has {trimmed.Count} columns, at most {UploadValues.MaxColumns} are accepted");
        }

        if (trimmed.FirstOrDefault(n => n.Length == 0 || n.Length > 100 || UploadValues.HasControl(n)) is { } bad)
        {
            throw new UploadUnreadableException("header", $"column name '{bad}' must be 1-100 printable characters");
        }

        if (trimmed.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new UploadUnreadableException("header", $"names column '{duplicate.Key}' twice");
        }

        return trimmed;
    }

    /// <summary>Refuses an upload whose header lacks a column every record of its kind needs.</summary>
    public static void RequireColumns(IReadOnlyCollection<string> names, string kind)
    {
        var required = ImportColumns.Common.Where(c => c != ImportColumns.ValidUntil)
            .Concat(kind == ImportColumns.KindLegacy ? ImportColumns.LegacyOnly : []);
        if (required.FirstOrDefault(c => !names.Contains(c)) is { } missing)
        {
            throw new UploadUnreadableException("header", $"lacks column '{missing}'");
        }
    }

    /// <summary>A record's values by column name; a control character in a value refuses the row, naming the column.</summary>
    public static UploadRecord Record(int line, IReadOnlyList<string> names, IReadOnlyList<string> values)
    {
        var columns = new Dictionary<string, string>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (UploadValues.HasControl(values[i]))
            {
                return UploadRecord.Refused(line, names[i], "contains a control character");
            }

            columns[names[i]] = values[i].Trim();
        }

        return new UploadRecord(line, columns);
    }
}
