using PdfSharp.Drawing;
using PdfSharp.Pdf;
using QRCoder;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>
/// Lays the archive copy out on A4 pages, top to bottom: every page gets the purpose watermark before its content
/// and, at the end, a footer with the purpose mark and "page i of n". Text wraps by measured width, character by
/// character, since Chinese has no spaces to break at.
/// </summary>
internal sealed class PdfPageWriter : IDisposable
{
    private const double Margin = 48;
    private const double Padding = 4;
    private const double NameColumn = 140;
    private const double FooterHeight = 36;

    private static readonly XPen Rule = new(XColor.FromArgb(255, 150, 150, 150), 0.5);
    private static readonly XBrush Ink = XBrushes.Black;
    private static readonly XBrush Grey = new XSolidBrush(XColor.FromArgb(255, 80, 80, 80));
    private static readonly XBrush Mark = new XSolidBrush(XColor.FromArgb(40, 200, 0, 0));

    private readonly PdfDocument document;
    private readonly string watermark;
    private readonly XFont body = new(CjkFontResolver.Family, 10.5, XFontStyleEx.Regular);
    private readonly XFont small = new(CjkFontResolver.Family, 8, XFontStyleEx.Regular);
    private readonly XFont heading = new(CjkFontResolver.Family, 18, XFontStyleEx.Bold);
    private readonly XFont markFont = new(CjkFontResolver.Family, 20, XFontStyleEx.Regular);
    private XGraphics? graphics;
    private PdfPage? page;
    private double y;

    public PdfPageWriter(PdfDocument document, string watermark)
    {
        this.document = document;
        this.watermark = watermark;
        NewPage();
    }

    private XGraphics G => graphics!;

    private double Width => page!.Width.Point - (2 * Margin);

    private double Bottom => page!.Height.Point - Margin - FooterHeight;

    public void Heading(string text)
    {
        foreach (var line in Wrap(text, heading, Width))
        {
            Text(line, heading, Ink, Margin, heading.GetHeight());
        }

        y += 8;
    }

    /// <summary>A two-column table of name and value rows, each row kept whole on one page.</summary>
    public void Table(IEnumerable<FaceLine> rows)
    {
        foreach (var row in rows)
        {
            var names = Wrap(row.Name, body, NameColumn - (2 * Padding));
            var values = Wrap(row.Value, body, Width - NameColumn - (2 * Padding));
            var lineHeight = body.GetHeight();
            var height = (Math.Max(names.Count, values.Count) * lineHeight) + (2 * Padding);
            Reserve(height);
            G.DrawRectangle(Rule, Margin, y, NameColumn, height);
            G.DrawRectangle(Rule, Margin + NameColumn, y, Width - NameColumn, height);
            for (var i = 0; i < names.Count; i++)
            {
                G.DrawString(names[i], body, Grey, new XRect(Margin + Padding, y + Padding + (i * lineHeight), NameColumn, lineHeight), XStringFormats.TopLeft);
            }

            for (var i = 0; i < values.Count; i++)
            {
                G.DrawString(values[i], body, Ink, new XRect(Margin + NameColumn + Padding, y + Padding + (i * lineHeight), Width - NameColumn, lineHeight),
                    XStringFormats.TopLeft);
            }

            y += height;
        }

        y += 10;
    }

    public void Paragraph(string text)
    {
        foreach (var line in Wrap(text, body, Width))
        {
            Text(line, body, Ink, Margin, body.GetHeight());
        }
    }

    /// <summary>A QR code drawn as vector squares (sharp at any print size), with a caption beside it.</summary>
    public void QrCode(QRCodeData code, double size, string caption)
    {
        Reserve(size);
        var modules = code.ModuleMatrix;
        var cell = size / modules.Count;
        for (var row = 0; row < modules.Count; row++)
        {
            for (var column = 0; column < modules[row].Count; column++)
            {
                if (modules[row][column])
                {
                    G.DrawRectangle(XBrushes.Black, Margin + (column * cell), y + (row * cell), cell, cell);
                }
            }
        }

        var lines = Wrap(caption, small, Width - size - 12);
        for (var i = 0; i < lines.Count; i++)
        {
            G.DrawString(lines[i], small, Grey, new XRect(Margin + size + 12, y + (i * small.GetHeight()), Width - size - 12, small.GetHeight()), XStringFormats.TopLeft);
        }

        y += size + 6;
    }

    /// <summary>Writes every page's footer: the purpose mark and the page count, known only now.</summary>
    public void Finish(string footer)
    {
        graphics?.Dispose();
        graphics = null;
        for (var i = 0; i < document.PageCount; i++)
        {
            var p = document.Pages[i];
            using var g = XGraphics.FromPdfPage(p, XGraphicsPdfPageOptions.Append);
            var text = $"{footer} · 第 {i + 1} 页 / 共 {document.PageCount} 页";
            var top = p.Height.Point - Margin - small.GetHeight();
            g.DrawLine(Rule, Margin, top - 4, p.Width.Point - Margin, top - 4);
            g.DrawString(text, small, Grey, new XRect(Margin, top, p.Width.Point - (2 * Margin), small.GetHeight()), XStringFormats.TopLeft);
        }
    }

    public void Dispose() => graphics?.Dispose();

    private void Text(string line, XFont font, XBrush brush, double x, double height)
    {
        Reserve(height);
        G.DrawString(line, font, brush, new XRect(x, y, Width, height), XStringFormats.TopLeft);
        y += height;
    }

    private void Reserve(double height)
    {
        if (y + height > Bottom && y > Margin)
        {
            NewPage();
        }
    }

    private void NewPage()
    {
        graphics?.Dispose();
        page = document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        graphics = XGraphics.FromPdfPage(page);
        DrawWatermark();
        y = Margin;
    }

    /// <summary>"仅用于…" across the whole page, rotated, light, under the content.</summary>
    private void DrawWatermark()
    {
        var state = G.Save();
        var w = page!.Width.Point;
        var h = page.Height.Point;
        G.RotateAtTransform(-30, new XPoint(w / 2, h / 2));
        var step = G.MeasureString(watermark, markFont).Width + 60;
        for (var row = -h; row < 2 * h; row += 90)
        {
            for (var x = -w + (row % 180 == 0 ? 0 : step / 2); x < 2 * w; x += step)
            {
                G.DrawString(watermark, markFont, Mark, new XPoint(x, row));
            }
        }

        G.Restore(state);
    }

    private List<string> Wrap(string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var start = 0;
            var end = 1;
            while (start < paragraph.Length)
            {
                while (end <= paragraph.Length && G.MeasureString(paragraph[start..end], font).Width <= width)
                {
                    end++;
                }

                var take = Math.Max(end - 1, start + 1);
                lines.Add(paragraph[start..take]);
                start = take;
                end = start + 1;
            }

            if (paragraph.Length == 0)
            {
                lines.Add("");
            }
        }

        return lines;
    }
}
