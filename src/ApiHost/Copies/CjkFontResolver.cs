using System.Buffers.Binary;
using PdfSharp.Fonts;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>
/// Gives PDFsharp the one CJK font of the archive copy, read from a font file Debian installs. PDFsharp embeds
/// TrueType (glyf) outlines only, so CFF fonts (fonts-noto-cjk) do not qualify; WenQuanYi Zen Hei
/// (fonts-wqy-zenhei) and AR PL UMing (fonts-arphic-uming) do, and they cover Latin as well as Chinese. Both ship as
/// TrueType collections (.ttc), which PDFsharp does not read, so the first face is handed over as a plain font.
/// </summary>
public sealed class CjkFontResolver(string path) : IFontResolver
{
    /// <summary>The family name the copy's renderer asks for.</summary>
    public const string Family = "OL-CJK";

    /// <summary>Where the font is looked for when <c>Copies:FontPath</c> is not set, best first.</summary>
    public static readonly IReadOnlyList<string> DebianCandidates =
    [
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
    ];

    private readonly Lazy<byte[]> bytes = new(() => SingleFace(File.ReadAllBytes(path)));

    public string Path => path;

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        // Bold is simulated: the Debian CJK fonts have a regular face only.
        new(Family, isBold, false);

    public byte[]? GetFont(string faceName) => bytes.Value;

    /// <summary>The first configured or Debian font file that exists, else null.</summary>
    public static string? Find(string? configured) =>
        configured is { Length: > 0 } ? (File.Exists(configured) ? configured : null) : DebianCandidates.FirstOrDefault(File.Exists);

    /// <summary>
    /// A collection's first face as a stand-alone font: its table directory moved to the start of the file. The
    /// directory's table offsets count from the start of the collection, so the tables stay where they are; the
    /// bytes the moved directory covers (the collection header and the old directory) are no table's.
    /// </summary>
    internal static byte[] SingleFace(byte[] font)
    {
        if (font.Length < 16 || BinaryPrimitives.ReadUInt32BigEndian(font) != 0x74746366) // 'ttcf'
        {
            return font;
        }

        var directory = checked((int)BinaryPrimitives.ReadUInt32BigEndian(font.AsSpan(12)));
        var tables = BinaryPrimitives.ReadUInt16BigEndian(font.AsSpan(directory + 4));
        var single = (byte[])font.Clone();
        Array.Copy(font, directory, single, 0, 12 + (16 * tables));
        return single;
    }
}
