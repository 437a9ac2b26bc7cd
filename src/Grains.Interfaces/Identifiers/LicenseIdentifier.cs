using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OrleansLicenses.Identifiers;

/// <summary>
/// An electronic licence identifier 电子证照标识 (GB/T 36904):
/// <c>1.2.156.3005.2.{type}.{issuer}.{serial}.{version}.{check}</c>, for example
/// <c>1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U</c>.
/// <list type="bullet">
/// <item>type 证照类型代码: 21 characters, the 18-character credit code of the defining authority + 3 digits;</item>
/// <item>issuer 颁发机构代码: the 18-character credit code of the issuing unit;</item>
/// <item>serial 流水号: 1 to <see cref="MaxSerialLength"/> (30) upper-case letters A-Z and digits;</item>
/// <item>version 版本号: 3 digits, 001 to 999;</item>
/// <item>check: ISO/IEC 7064 MOD 37,36 over type + issuer + serial + version (no root, no dots).</item>
/// </list>
/// Instances only come from <see cref="Create(string, string, string, string)"/>, <see cref="NextVersion"/> and the
/// parse methods, so every part is valid; the check character is the computed one except for an identifier read by
/// <see cref="TryParseLenient"/> (a digitized paper licence's own number), where <see cref="CheckMismatch"/> tells
/// that it is not: the character it came with is kept, never corrected.
/// </summary>
public sealed record LicenseIdentifier
{
    /// <summary>The OID root of Chinese electronic licences.</summary>
    public const string Root = "1.2.156.3005.2";

    /// <summary>Length of a licence type code.</summary>
    public const int TypeCodeLength = 21;

    /// <summary>
    /// Longest serial accepted. GB/T 36904 leaves the serial to the issuer; 30 holds every serial scheme we know
    /// of (e.g. 11-character year+sequence, 16-character permit numbers without their Chinese prefix) with room to spare.
    /// </summary>
    public const int MaxSerialLength = 30;

    /// <summary>The version of a newly issued licence.</summary>
    public const string FirstVersion = "001";

    private const string RootPrefix = Root + ".";

    private LicenseIdentifier(string typeCode, string issuerCode, string serial, string version, char check, bool checkMismatch = false)
    {
        TypeCode = typeCode;
        IssuerCode = issuerCode;
        Serial = serial;
        Version = version;
        Check = check;
        CheckMismatch = checkMismatch;
    }

    /// <summary>Licence type code (21 characters).</summary>
    public string TypeCode { get; }

    /// <summary>Credit code of the issuing unit.</summary>
    public string IssuerCode { get; }

    /// <summary>Serial number set by the issuer.</summary>
    public string Serial { get; }

    /// <summary>Version, 3 digits.</summary>
    public string Version { get; }

    /// <summary>The check character as carried by the identifier.</summary>
    public char Check { get; }

    /// <summary>True only for an identifier from <see cref="TryParseLenient"/> whose <see cref="Check"/> is not the computed one.</summary>
    public bool CheckMismatch { get; }

    /// <summary>The licence number without version and check: <c>{type}.{issuer}.{serial}</c>, stable across versions.</summary>
    public string Number => $"{TypeCode}.{IssuerCode}.{Serial}";

    /// <summary>The licence number as a parsed value.</summary>
    public LicenseNumber LicenseNumber => new(TypeCode, IssuerCode, Serial);

    /// <summary>The version as a number, 1..999.</summary>
    public int VersionNumber => int.Parse(Version, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The full identifier, <c>1.2.156.3005.2.{type}.{issuer}.{serial}.{version}.{check}</c>.</summary>
    public override string ToString() => $"{RootPrefix}{TypeCode}.{IssuerCode}.{Serial}.{Version}.{Check}";

    /// <summary>Creates an identifier with a computed check character.</summary>
    /// <exception cref="ArgumentException">A part breaks a rule; the message names the segment and the rule.</exception>
    public static LicenseIdentifier Create(string typeCode, string issuerCode, string serial, string version = FirstVersion)
    {
        var error = ValidateTypeCode(typeCode) ?? ValidateIssuerCode(issuerCode) ?? ValidateSerial(serial) ?? ValidateVersion(version);
        if (error is not null)
        {
            throw new ArgumentException(error);
        }

        return new LicenseIdentifier(typeCode, issuerCode, serial, version, ComputeCheck(typeCode, issuerCode, serial, version));
    }

    /// <summary>Creates an identifier for a version of a licence number, with a computed check character.</summary>
    /// <exception cref="ArgumentException">The version is not 001..999.</exception>
    public static LicenseIdentifier Create(LicenseNumber number, string version = FirstVersion)
    {
        ArgumentNullException.ThrowIfNull(number);
        return Create(number.TypeCode, number.IssuerCode, number.Serial, version);
    }

    /// <summary>The identifier of the next version (a change 变更), with a freshly computed, correct check character.</summary>
    /// <exception cref="InvalidOperationException">The version is already 999.</exception>
    public LicenseIdentifier NextVersion()
    {
        var next = VersionNumber + 1;
        if (next > 999)
        {
            throw new InvalidOperationException($"Licence {Number} is at version 999, the last a 3-digit version allows.");
        }

        return Create(TypeCode, IssuerCode, Serial, next.ToString("D3", CultureInfo.InvariantCulture));
    }

    /// <summary>True when <paramref name="value"/> is a valid identifier with a correct check character.</summary>
    public static bool TryValidate([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? error) =>
        TryParse(value, out _, out error);

    /// <summary>Strict parse: every segment valid and the check character correct.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? value,
        [NotNullWhen(true)] out LicenseIdentifier? identifier,
        [NotNullWhen(false)] out string? error) =>
        TryParseCore(value, lenient: false, out identifier, out error);

    /// <summary>
    /// Lenient parse, for the numbers of digitized paper licences (legacy import): every rule of <see cref="TryParse"/>
    /// holds except that a wrong but well-formed check character (one of 0-9A-Z) is accepted, kept as it is and flagged
    /// with <see cref="CheckMismatch"/>.
    /// </summary>
    public static bool TryParseLenient(
        [NotNullWhen(true)] string? value,
        [NotNullWhen(true)] out LicenseIdentifier? identifier,
        [NotNullWhen(false)] out string? error) =>
        TryParseCore(value, lenient: true, out identifier, out error);

    /// <summary>Strict parse.</summary>
    /// <exception cref="FormatException">The value is not a valid identifier; the message names the rule.</exception>
    public static LicenseIdentifier Parse(string value) =>
        TryParse(value, out var identifier, out var error) ? identifier : throw new FormatException(error);

    /// <summary>The MOD 37,36 check character over type + issuer + serial + version.</summary>
    /// <exception cref="ArgumentException">A part contains a character outside 0-9A-Z.</exception>
    public static char ComputeCheck(string typeCode, string issuerCode, string serial, string version) =>
        Iso7064.ComputeMod37Hybrid36(string.Concat(typeCode, issuerCode, serial, version));

    /// <summary>Validates a licence type code: 18-character credit code of the defining authority + 3 digits.</summary>
    public static bool TryValidateTypeCode([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? error) =>
        (error = ValidateTypeCode(value)) is null;

    /// <summary>Validates an issuer code (the issuing unit's credit code).</summary>
    public static bool TryValidateIssuerCode([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? error) =>
        (error = ValidateIssuerCode(value)) is null;

    /// <summary>Validates a serial: 1..30 upper-case letters A-Z and digits.</summary>
    public static bool TryValidateSerial([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? error) =>
        (error = ValidateSerial(value)) is null;

    /// <summary>Validates a version: exactly 3 digits, 001..999.</summary>
    public static bool TryValidateVersion([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? error) =>
        (error = ValidateVersion(value)) is null;

    internal static string? ValidateTypeCode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "segment 'type' is required";
        }

        if (value.Length != TypeCodeLength)
        {
            return $"segment 'type' must be 21 characters (18-character credit code of the defining authority + 3 digits), got {value.Length}";
        }

        if (!CreditCode.TryValidate(value[..CreditCode.Length], out var creditError))
        {
            return $"segment 'type' (credit code of the defining authority, characters 1-18): {creditError}";
        }

        if (value.AsSpan(CreditCode.Length).ContainsAnyExceptInRange('0', '9'))
        {
            return $"segment 'type' must end with 3 digits, got '{value[CreditCode.Length..]}'";
        }

        return null;
    }

    internal static string? ValidateIssuerCode(string? value)
    {
        if (!CreditCode.TryValidate(value, out var creditError))
        {
            return $"segment 'issuer' (credit code of the issuing unit): {creditError}";
        }

        return null;
    }

    internal static string? ValidateSerial(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "segment 'serial' must not be empty";
        }

        if (value.Length > MaxSerialLength)
        {
            return $"segment 'serial' must be at most 30 characters, got {value.Length}";
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c) && !char.IsAsciiLetterUpper(c))
            {
                return "segment 'serial' must contain only upper-case letters A-Z and digits";
            }
        }

        return null;
    }

    internal static string? ValidateVersion(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length != 3 || value.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return "segment 'version' must be exactly 3 digits, 001 to 999";
        }

        if (value == "000")
        {
            return "segment 'version' must be from 001 to 999; versions start at 001";
        }

        return null;
    }

    private static bool TryParseCore(string? value, bool lenient, out LicenseIdentifier? identifier, out string? error)
    {
        identifier = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "licence identifier is required";
            return false;
        }

        if (value.Any(char.IsWhiteSpace))
        {
            error = "licence identifier must not contain whitespace";
            return false;
        }

        if (!value.StartsWith(RootPrefix, StringComparison.Ordinal))
        {
            error = $"licence identifier must start with the root {Root}";
            return false;
        }

        var segments = value[RootPrefix.Length..].Split('.');
        if (segments.Length != 5)
        {
            error = $"licence identifier must have 5 segments after the root {Root} (type.issuer.serial.version.check), got {segments.Length}";
            return false;
        }

        var (typeCode, issuerCode, serial, version, checkSegment) = (segments[0], segments[1], segments[2], segments[3], segments[4]);
        error = ValidateTypeCode(typeCode) ?? ValidateIssuerCode(issuerCode) ?? ValidateSerial(serial) ?? ValidateVersion(version);
        if (error is not null)
        {
            return false;
        }

        if (checkSegment.Length != 1 || Iso7064.AlphanumericValue(checkSegment[0]) < 0)
        {
            error = "segment 'check' must be one upper-case letter A-Z or digit";
            return false;
        }

        var check = checkSegment[0];
        var expected = ComputeCheck(typeCode, issuerCode, serial, version);
        if (check != expected && !lenient)
        {
            error = $"check character should be {expected}";
            return false;
        }

        identifier = new LicenseIdentifier(typeCode, issuerCode, serial, version, check, checkMismatch: check != expected);
        error = null;
        return true;
    }
}

/// <summary>
/// A licence number 证照编号 in the sense of GB/T 36904: the identifier without root, version and check,
/// <c>{type}.{issuer}.{serial}</c>. It names a licence across all its versions (the natural key of a licence).
/// </summary>
public sealed record LicenseNumber
{
    internal LicenseNumber(string typeCode, string issuerCode, string serial)
    {
        TypeCode = typeCode;
        IssuerCode = issuerCode;
        Serial = serial;
    }

    /// <summary>Licence type code (21 characters).</summary>
    public string TypeCode { get; }

    /// <summary>Credit code of the issuing unit.</summary>
    public string IssuerCode { get; }

    /// <summary>Serial number set by the issuer.</summary>
    public string Serial { get; }

    /// <summary><c>{type}.{issuer}.{serial}</c>.</summary>
    public override string ToString() => $"{TypeCode}.{IssuerCode}.{Serial}";

    /// <summary>Creates a licence number from validated parts.</summary>
    /// <exception cref="ArgumentException">A part breaks a rule; the message names the segment and the rule.</exception>
    public static LicenseNumber Create(string typeCode, string issuerCode, string serial)
    {
        var error = LicenseIdentifier.ValidateTypeCode(typeCode) ?? LicenseIdentifier.ValidateIssuerCode(issuerCode) ?? LicenseIdentifier.ValidateSerial(serial);
        return error is null ? new LicenseNumber(typeCode, issuerCode, serial) : throw new ArgumentException(error);
    }

    /// <summary>The identifier of a version of this licence, with a computed check character.</summary>
    public LicenseIdentifier WithVersion(string version = LicenseIdentifier.FirstVersion) => LicenseIdentifier.Create(this, version);

    /// <summary>Parses <c>{type}.{issuer}.{serial}</c> strictly.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? value,
        [NotNullWhen(true)] out LicenseNumber? number,
        [NotNullWhen(false)] out string? error)
    {
        number = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "licence number is required";
            return false;
        }

        if (value.StartsWith(LicenseIdentifier.Root + ".", StringComparison.Ordinal))
        {
            error = $"a licence number has no root: give {{type}}.{{issuer}}.{{serial}} without {LicenseIdentifier.Root}, version and check";
            return false;
        }

        var segments = value.Split('.');
        if (segments.Length != 3)
        {
            error = $"licence number must have 3 dot-separated segments (type.issuer.serial), got {segments.Length}";
            return false;
        }

        error = LicenseIdentifier.ValidateTypeCode(segments[0]) ?? LicenseIdentifier.ValidateIssuerCode(segments[1]) ?? LicenseIdentifier.ValidateSerial(segments[2]);
        if (error is not null)
        {
            return false;
        }

        number = new LicenseNumber(segments[0], segments[1], segments[2]);
        return true;
    }

    /// <summary>Strict parse.</summary>
    /// <exception cref="FormatException">The value is not a valid licence number; the message names the rule.</exception>
    public static LicenseNumber Parse(string value) =>
        TryParse(value, out var number, out var error) ? number : throw new FormatException(error);
}
