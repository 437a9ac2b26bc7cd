using PdfSharp.Fonts;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>
/// PDFsharp's font resolver is process-wide and may be set once; this installs it on first use, from the configured
/// or the first installed Debian CJK font, and reports plainly when none is installed.
/// </summary>
public static class CopyFonts
{
    private static readonly Lock Gate = new();
    private static CjkFontResolver? installed;

    /// <summary>The resolver in use, installing it on first call.</summary>
    /// <exception cref="InvalidOperationException">No usable CJK font file is installed.</exception>
    public static CjkFontResolver Ensure(string? configuredPath)
    {
        lock (Gate)
        {
            if (installed is not null)
            {
                return installed;
            }

            var path = CjkFontResolver.Find(configuredPath) ?? throw new InvalidOperationException(
                "No CJK TrueType font for the PDF archive copy: apt-get install fonts-wqy-zenhei, or set Copies:FontPath to a .ttf/.ttc with glyf outlines.");
            installed = new CjkFontResolver(path);
            GlobalFontSettings.FontResolver = installed;
            return installed;
        }
    }
}
