using OrleansLicenses.Identifiers;
using Xunit;

namespace OrleansLicenses.Tests.Identifiers;

public sealed class RegionsTests
{
    [Fact]
    public void Data_IsTheEmbeddedVersionedFile()
    {
        Assert.Contains(Regions.ResourceName, typeof(Regions).Assembly.GetManifestResourceNames());
        Assert.Equal("MCA-2023", Regions.DataVersion);
    }

    [Fact]
    public void Heilongjiang_IsTheProvinceRoot()
    {
        Assert.True(Regions.TryGet("230000", out var province));
        Assert.Equal("黑龙江省", province.Name);
        Assert.Null(province.ParentCode);
        Assert.Equal(RegionLevel.Province, province.Level);
        Assert.Single(Regions.All, r => r.Level == RegionLevel.Province);
    }

    [Theory]
    [InlineData("230100", "哈尔滨市", 18)]
    [InlineData("230200", "齐齐哈尔市", 16)]
    [InlineData("230300", "鸡西市", 9)]
    [InlineData("230400", "鹤岗市", 8)]
    [InlineData("230500", "双鸭山市", 8)]
    [InlineData("230600", "大庆市", 9)]
    [InlineData("230700", "伊春市", 10)]
    [InlineData("230800", "佳木斯市", 10)]
    [InlineData("230900", "七台河市", 4)]
    [InlineData("231000", "牡丹江市", 10)]
    [InlineData("231100", "黑河市", 6)]
    [InlineData("231200", "绥化市", 10)]
    [InlineData("232700", "大兴安岭地区", 3)]
    public void EveryPrefecture_IsPresentWithItsCounties(string code, string name, int counties)
    {
        Assert.True(Regions.TryGet(code, out var prefecture));
        Assert.Equal(name, prefecture.Name);
        Assert.Equal(RegionLevel.Prefecture, prefecture.Level);
        Assert.Equal(Regions.HeilongjiangCode, prefecture.ParentCode);
        Assert.Equal(counties, Regions.All.Count(r => r.ParentCode == code));
    }

    [Fact]
    public void Counts_Are1Province13Prefectures121Counties()
    {
        Assert.Equal(13, Regions.All.Count(r => r.Level == RegionLevel.Prefecture));
        Assert.Equal(121, Regions.All.Count(r => r.Level == RegionLevel.County));
        Assert.Equal(135, Regions.All.Count);
    }

    [Fact]
    public void EveryParentLink_Resolves()
    {
        foreach (var region in Regions.All.Where(r => r.ParentCode is not null))
        {
            Assert.True(Regions.TryGet(region.ParentCode, out _), $"{region.Code} has unknown parent {region.ParentCode}");
        }
    }

    [Fact]
    public void EveryCounty_HasAPrefectureParentUnderHeilongjiang()
    {
        foreach (var county in Regions.All.Where(r => r.Level == RegionLevel.County))
        {
            Assert.True(Regions.TryGet(county.ParentCode, out var parent), county.Code);
            Assert.Equal(RegionLevel.Prefecture, parent.Level);
            Assert.Equal(Regions.HeilongjiangCode, parent.ParentCode);
            Assert.StartsWith(parent.Code[..4], county.Code, StringComparison.Ordinal);
            Assert.True(Regions.IsWithin(county.Code, Regions.HeilongjiangCode));
        }
    }

    [Fact]
    public void NamesAreUniqueWithinAParent()
    {
        var duplicates = Regions.All.GroupBy(r => (r.ParentCode, r.Name)).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Theory]
    [InlineData("230113", "双城区")] // 2014: 双城市 → 双城区
    [InlineData("230717", "伊美区")] // 2019 reorganisation of 伊春市
    [InlineData("230725", "大箐山县")]
    [InlineData("230751", "金林区")]
    [InlineData("230883", "抚远市")] // 2016
    [InlineData("231086", "东宁市")] // 2015
    [InlineData("231183", "嫩江市")] // 2019
    [InlineData("232701", "漠河市")] // 2018
    [InlineData("230624", "杜尔伯特蒙古族自治县")]
    public void CurrentCodes_ArePresent(string code, string name)
    {
        Assert.True(Regions.TryGet(code, out var region));
        Assert.Equal(name, region.Name);
    }

    [Theory]
    [InlineData("230702")] // 伊春区, abolished 2019
    [InlineData("2307810")]
    [InlineData("230182")] // 双城市, became 230113
    [InlineData("231121")] // 嫩江县, became 231183
    [InlineData("232723")] // 漠河县, became 232701
    [InlineData("232761")] // 加格达奇区: a statistical code, not GB/T 2260
    [InlineData("230171")] // development zones are statistical codes too
    public void RetiredOrNonGbCodes_AreUnknown(string code)
    {
        Assert.False(Regions.TryGet(code, out _));
        Assert.False(Regions.TryValidate(code, out _));
    }

    [Theory]
    [InlineData("230103", null)]
    [InlineData(null, "region code is required")]
    [InlineData("23010", "region code '23010' must be 6 digits")]
    [InlineData("23010A", "region code '23010A' must be 6 digits")]
    [InlineData("239999", "region code 239999 is not in the GB/T 2260 reference data (edition MCA-2023)")]
    [InlineData("110105", "region code 110105 is not in the GB/T 2260 reference data (edition MCA-2023)")]
    public void TryValidate_NamesTheReason(string? code, string? expected)
    {
        Assert.Equal(expected is null, Regions.TryValidate(code, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("230103", "230100", true)]
    [InlineData("230103", "230000", true)]
    [InlineData("230103", "230103", true)]
    [InlineData("230100", "230000", true)]
    [InlineData("230103", "230200", false)]
    [InlineData("230000", "230100", false)]
    [InlineData("239999", "230000", false)]
    [InlineData("230103", "239900", false)]
    [InlineData(null, "230000", false)]
    public void IsWithin_FollowsParentLinks(string? code, string ancestor, bool expected)
    {
        Assert.Equal(expected, Regions.IsWithin(code, ancestor));
    }

    [Theory]
    [InlineData("230000", RegionLevel.Province)]
    [InlineData("230100", RegionLevel.Prefecture)]
    [InlineData("232700", RegionLevel.Prefecture)]
    [InlineData("230103", RegionLevel.County)]
    [InlineData("110105", RegionLevel.County)] // from the code's shape; need not be in the table
    public void Level_FollowsTheCodeShape(string code, RegionLevel expected)
    {
        Assert.Equal(expected, Regions.Level(code));
    }

    [Theory]
    [InlineData("2301")]
    [InlineData("000100")]
    [InlineData("23010X")]
    public void Level_WhenNotARegionCode_Throws(string code)
    {
        Assert.Throws<ArgumentException>(() => Regions.Level(code));
    }

    [Theory]
    [InlineData("code\tname\tparentCode\n230000\t黑龙江省\t\n", "no '# data-version:' line")]
    [InlineData("# data-version: T\ncode,name,parentCode\n", "line 2: expected the header")]
    [InlineData("# data-version: T\ncode\tname\tparentCode\n230100\t哈尔滨市\t230000\n", "line 3: parent 230000 of 230100 is not in the file")]
    [InlineData("# data-version: T\ncode\tname\tparentCode\n230000\t黑龙江省\t\n230000\t黑龙江省\t\n", "line 4: code 230000 already defined on line 3")]
    [InlineData("# data-version: T\ncode\tname\tparentCode\n230100\t哈尔滨市\t\n230200\t齐齐哈尔市\t230100\n", "line 4: parent 230100 of 230200 is not of a higher level")]
    [InlineData("# data-version: T\ncode\tname\tparentCode\n23000\t黑龙江省\t\n", "line 3: code '23000' must be 6 digits")]
    [InlineData("# data-version: T\ncode\tname\tparentCode\n230000\t黑龙江省\n", "line 3: expected 3 tab-separated fields, got 2")]
    public void Parse_WhenFileBroken_SaysWhere(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => RegionTable.Parse(new StringReader(text)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReadsAMinimalTable()
    {
        var table = RegionTable.Parse(new StringReader("# comment\n# data-version: TEST-1\ncode\tname\tparentCode\n230000\t黑龙江省\t\n230100\t哈尔滨市\t230000\n"));
        Assert.Equal("TEST-1", table.DataVersion);
        Assert.Equal(2, table.All.Count);
        Assert.True(table.IsWithin("230100", "230000"));
    }
}
