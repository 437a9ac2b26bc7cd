using PdfSharp.Pdf;
using QRCoder;

namespace OrleansLicenses.ApiHost.Copies;

/// <summary>
/// The archive copy (加注件) as PDF (PDFsharp, MIT): the content of <see cref="CopyContent"/> with the CJK font embedded
/// as a subset, the purpose watermark on every page, and a QR code pointing at the public status check.
/// </summary>
public sealed class ArchivePdf(IConfiguration configuration)
{
    public const string MediaType = "application/pdf";

    public byte[] Render(CopyContent c)
    {
        ArgumentNullException.ThrowIfNull(c);
        CopyFonts.Ensure(configuration["Copies:FontPath"]);
        using var document = new PdfDocument();
        document.Info.Title = c.Title;
        document.Info.Subject = $"{c.Watermark}；存档编号 {c.Record.VerificationId}";
        document.Info.Creator = "OrleansLicenses 电子证照库";
        document.Info.CreationDate = c.Record.UsedAt.UtcDateTime;
        using (var writer = new PdfPageWriter(document, c.Watermark))
        {
            writer.Heading(c.Title);
            writer.Table(
            [
                new FaceLine("证照标识", c.Record.LicenseIdentifier),
                new FaceLine("持证主体", c.Holder),
                new FaceLine("有效期", c.Validity),
                new FaceLine("查验结果", c.Result),
            ]);
            writer.Heading("照面信息");
            writer.Table(c.Face.Count > 0 ? c.Face : [new FaceLine("照面", "比对用证，不显示照面内容")]);
            writer.Heading("用证记录");
            writer.Table(c.UseLines);
            using (var generator = new QRCodeGenerator())
            using (var qr = generator.CreateQrCode(c.PublicCheckUrl, QRCodeGenerator.ECCLevel.M))
            {
                writer.QrCode(qr, 96, $"扫码查验证照当前状态：{c.PublicCheckUrl}");
            }
            writer.Paragraph($"{c.Watermark}，他用无效。本件由电子证照库按用证存档生成，可凭存档编号向用证单位核对。");
            writer.Finish($"{c.Watermark}，他用无效 · 存档编号 {c.Record.VerificationId}");
        }

        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }
}
