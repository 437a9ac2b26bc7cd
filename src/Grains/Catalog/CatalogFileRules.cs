namespace OrleansLicenses.Catalog;

/// <summary>Attached files must be what they claim: content type allowed for the kind, size bounded, magic bytes matching.</summary>
public static class CatalogFileRules
{
    public static string? Check(CatalogFile file)
    {
        if (!CatalogTerms.FileKinds.TryGetValue(file.Kind, out var types))
        {
            return $"kind must be one of {string.Join(", ", CatalogTerms.FileKinds.Keys)}";
        }

        if (!types.Contains(file.ContentType))
        {
            return $"a {file.Kind} must be one of {string.Join(", ", types)}";
        }

        if (file.Content.Length == 0 || file.Content.Length > CatalogTerms.MaxFileBytes)
        {
            return $"size must be between 1 byte and {CatalogTerms.MaxFileBytes} bytes";
        }

        return MatchesContent(file.ContentType, file.Content) ? null : $"the content is not a {file.ContentType} file";
    }

    private static bool MatchesContent(string contentType, ReadOnlySpan<byte> content) => contentType switch
    {
        "image/png" => content.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/jpeg" => content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
        "application/pdf" => content.StartsWith("%PDF-"u8),
        "image/svg+xml" => IsSvg(content),
        _ => false,
    };

    // SVG is text: it must parse as XML with an <svg> root and carry no script (templates are shown to people).
    private static bool IsSvg(ReadOnlySpan<byte> content)
    {
        var text = System.Text.Encoding.UTF8.GetString(content);
        if (text.Contains("<script", StringComparison.OrdinalIgnoreCase) || text.Contains("javascript:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var settings = new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = System.Xml.XmlReader.Create(new StringReader(text), settings);
            reader.MoveToContent();
            return reader.LocalName == "svg";
        }
        catch (System.Xml.XmlException)
        {
            return false;
        }
    }
}
