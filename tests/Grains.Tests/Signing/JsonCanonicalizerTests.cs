using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansLicenses.Signing;
using Xunit;

namespace OrleansLicenses.Tests.Signing;

public sealed class JsonCanonicalizerTests
{
    // RFC 8785 section 3.2.2 (sample input and its canonical form).
    private const string Rfc8785Input = """
        {
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }
        """;

    private const string Rfc8785Output =
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

    // RFC 8785 section 3.2.3 (property sorting).
    private const string SortingInput = """
        {
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }
        """;

    [Fact]
    public void Rfc8785_main_example()
    {
        Assert.Equal(Rfc8785Output, JsonCanonicalizer.CanonicalizeToString(Rfc8785Input));
        Assert.Equal(Encoding.UTF8.GetBytes(Rfc8785Output), JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(Rfc8785Input)));
    }

    [Fact]
    public void Rfc8785_main_example_from_node_and_element()
    {
        byte[] expected = Encoding.UTF8.GetBytes(Rfc8785Output);
        Assert.Equal(expected, JsonCanonicalizer.Canonicalize(JsonNode.Parse(Rfc8785Input)));
        using JsonDocument document = JsonDocument.Parse(Rfc8785Input);
        Assert.Equal(expected, JsonCanonicalizer.Canonicalize(document.RootElement));
    }

    [Fact]
    public void Rfc8785_sorting_example()
    {
        string expected =
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\"," +
            "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";

        Assert.Equal(expected, JsonCanonicalizer.CanonicalizeToString(SortingInput));

        // U+0080 is written raw as C2 80, not escaped.
        byte[] bytes = JsonCanonicalizer.Canonicalize(SortingInput);
        Assert.True(bytes.AsSpan().IndexOf(new byte[] { 0x22, 0xC2, 0x80, 0x22 }) > 0);
    }

    [Fact]
    public void Rfc8785_utf8_bytes_of_the_main_example_match_the_published_hex()
    {
        // RFC 8785 3.2.4: the UTF-8 of the canonical form.
        const string hex =
            "7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e3333333333333" +
            "32c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c7530303066" +
            "5c6e4127425c225c5c5c5c5c222f227d";
        Assert.Equal(hex, Convert.ToHexStringLower(JsonCanonicalizer.Canonicalize(Rfc8785Input)));
    }

    // RFC 8785 Appendix B: IEEE-754 bit patterns and their ECMAScript serialisation.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Rfc8785_appendix_b_number_vectors(string ieeeHex, string expected)
    {
        double value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(ieeeHex)));

        Assert.Equal(expected, JsonCanonicalizer.FormatNumber(value));

        // The same through JSON text, where the literal is the round-trip form of the double.
        if (value != 0 || !double.IsNegative(value))
        {
            string literal = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"[{expected}]", JsonCanonicalizer.CanonicalizeToString($"[{literal}]"));
        }
    }

    [Theory]
    [InlineData("7fffffffffffffff")] // NaN
    [InlineData("7ff0000000000000")] // Infinity
    [InlineData("fff0000000000000")] // -Infinity
    public void Rfc8785_appendix_b_non_finite_values_are_errors(string ieeeHex)
    {
        double value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(ieeeHex)));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.FormatNumber(value));
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("1", "1")]
    [InlineData("-1", "-1")]
    [InlineData("100", "100")]
    [InlineData("1.0", "1")]
    [InlineData("1E2", "100")]
    [InlineData("12345678", "12345678")]
    [InlineData("9007199254740991", "9007199254740991")]
    [InlineData("-9007199254740991", "-9007199254740991")]
    [InlineData("9007199254740993", "9007199254740992")] // beyond 2^53: rounded to the nearest double
    [InlineData("12345678901234567890", "12345678901234567000")]
    [InlineData("0.1", "0.1")]
    [InlineData("0.5", "0.5")]
    [InlineData("-12.34", "-12.34")]
    [InlineData("199.99", "199.99")]
    [InlineData("3.14159", "3.14159")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("0.0000001", "1e-7")]
    [InlineData("0.00000123", "0.00000123")]
    [InlineData("1.5e-7", "1.5e-7")]
    [InlineData("123456789012345680000", "123456789012345680000")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1.5e21", "1.5e+21")]
    [InlineData("1e300", "1e+300")]
    [InlineData("0.1e1", "1")]
    [InlineData("2e-3", "0.002")]
    [InlineData("1E30", "1e+30")]
    public void Numbers_follow_ecmascript_number_to_string(string literal, string expected)
    {
        Assert.Equal(expected, JsonCanonicalizer.CanonicalizeToString(literal));
    }

    [Fact]
    public void Integers_up_to_2_pow_53_are_exact()
    {
        var random = new Random(8785);
        for (int i = 0; i < 2000; i++)
        {
            long value = random.NextInt64(-(1L << 53), (1L << 53) + 1);
            Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), JsonCanonicalizer.FormatNumber(value));
        }
    }

    [Fact]
    public void Number_output_round_trips_to_the_same_double()
    {
        var random = new Random(32);
        Span<byte> bits = stackalloc byte[8];
        for (int i = 0; i < 5000; i++)
        {
            random.NextBytes(bits);
            double value = BitConverter.Int64BitsToDouble(BitConverter.ToInt64(bits));
            if (!double.IsFinite(value))
            {
                continue;
            }

            string text = JsonCanonicalizer.FormatNumber(value);
            double back = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(back == value, $"{value:R} -> {text} -> {back:R}");
            Assert.DoesNotContain("E", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Strings_escape_only_what_jcs_requires()
    {
        string json = "[\"\\u0000\\u0001\\u0008\\u0009\\u000a\\u000b\\u000c\\u000d\\u001f\\u0020\\u0022\\u005c\\u002f\\u007f\\u2028\\u00e9\\u4e2d\"]";
        string expected = "[\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\"\\\\/\u007f\u2028é中\"]";
        Assert.Equal(expected, JsonCanonicalizer.CanonicalizeToString(json));
    }

    [Fact]
    public void Chinese_text_is_written_as_raw_utf8()
    {
        var node = new JsonObject { ["holder"] = "张三", ["unit"] = SigningTestData.UnitName };
        byte[] bytes = JsonCanonicalizer.Canonicalize(node);
        Assert.Equal("{\"holder\":\"张三\",\"unit\":\"杭州市市场监督管理局\"}"u8.ToArray(), bytes);
    }

    [Fact]
    public void Whitespace_is_removed_and_nested_objects_are_sorted()
    {
        const string json = " { \"b\" : [ 1 , { \"z\" : true , \"a\" : null } ] ,\n\t\"a\" : { } , \"c\" : [ ] } ";
        Assert.Equal("{\"a\":{},\"b\":[1,{\"a\":null,\"z\":true}],\"c\":[]}", JsonCanonicalizer.CanonicalizeToString(json));
    }

    [Fact]
    public void Sorting_uses_utf16_code_units_not_code_points()
    {
        // U+FB33 (one code unit, 0xFB33) sorts after U+1F600 (surrogates 0xD83D 0xDE00) in UTF-16 order,
        // though its code point is smaller.
        var node = new JsonObject { ["\ufb33"] = 1, ["\ud83d\ude00"] = 2, ["\uffff"] = 3, ["a"] = 4, ["B"] = 5 };
        Assert.Equal("{\"B\":5,\"a\":4,\"\ud83d\ude00\":2,\"\ufb33\":1,\"\uffff\":3}", JsonCanonicalizer.CanonicalizeToString(node));
    }

    [Fact]
    public void Node_and_element_inputs_agree_including_clr_values()
    {
        var node = new JsonObject
        {
            ["int"] = 42,
            ["long"] = 9007199254740992L,
            ["double"] = 0.1,
            ["decimal"] = 12.50m,
            ["float"] = 1.5f,
            ["bool"] = true,
            ["null"] = null,
            ["text"] = "x\ny",
            ["array"] = new JsonArray(1, "two", 3.0),
        };

        string expected = "{\"array\":[1,\"two\",3],\"bool\":true,\"decimal\":12.5,\"double\":0.1,\"float\":1.5,\"int\":42,\"long\":9007199254740992,\"null\":null,\"text\":\"x\\ny\"}";
        Assert.Equal(expected, JsonCanonicalizer.CanonicalizeToString(node));

        using JsonDocument document = JsonDocument.Parse(node.ToJsonString());
        Assert.Equal(Encoding.UTF8.GetBytes(expected), JsonCanonicalizer.Canonicalize(document.RootElement));
    }

    [Fact]
    public void Top_level_scalars_and_null_node()
    {
        Assert.Equal("null", JsonCanonicalizer.CanonicalizeToString((JsonNode?)null));
        Assert.Equal("\"a\"", JsonCanonicalizer.CanonicalizeToString(" \"a\" "));
        Assert.Equal("1e+21", JsonCanonicalizer.CanonicalizeToString("1e21"));
        Assert.Equal("true", JsonCanonicalizer.CanonicalizeToString("true"));
    }

    [Fact]
    public void Duplicate_member_names_are_rejected()
    {
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("{\"a\":1,\"a\":2}"));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("{\"x\":{\"a\":1,\"b\":2,\"a\":1}}"));

        // Same name written with different escapes is still a duplicate.
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("{\"a\":1,\"\\u0061\":2}"));

        using JsonDocument document = JsonDocument.Parse("{\"a\":1,\"a\":2}");
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(document.RootElement));

        // JsonNode.Parse accepts duplicates lazily; they must not slip through.
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(JsonNode.Parse("{\"a\":1,\"a\":2}")));
    }

    [Fact]
    public void Non_finite_and_overflowing_numbers_are_rejected()
    {
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("[1e400]"));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("[-1e400]"));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(new JsonArray(double.NaN)));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(new JsonArray(double.PositiveInfinity)));
    }

    [Fact]
    public void Unpaired_surrogates_are_rejected()
    {
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("[\"\\ud800\"]"));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("{\"\\udc00\":1}"));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(new JsonArray("a\ud800b")));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(new JsonObject { ["\udfff"] = 1 }));
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(JsonNode.Parse("[\"\\ud800\"]")));

        using JsonDocument document = JsonDocument.Parse("[\"\\ud83d\"]");
        Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize(document.RootElement));

        // A correctly paired escape is fine and written raw.
        Assert.Equal("[\"\ud83d\ude00\"]", JsonCanonicalizer.CanonicalizeToString("[\"\\ud83d\\ude00\"]"));
    }

    [Fact]
    public void Invalid_json_is_rejected()
    {
        Assert.ThrowsAny<JsonException>(() => JsonCanonicalizer.Canonicalize("{\"a\":1"));
        Assert.ThrowsAny<JsonException>(() => JsonCanonicalizer.Canonicalize("[1] [2]"));
        Assert.ThrowsAny<JsonException>(() => JsonCanonicalizer.Canonicalize("[01]"));
        Assert.ThrowsAny<JsonException>(() => JsonCanonicalizer.Canonicalize(""));
        Assert.ThrowsAny<JsonException>(() => JsonCanonicalizer.Canonicalize(new byte[] { 0x22, 0xFF, 0x22 }));
    }

    [Fact]
    public void Canonical_form_is_a_fixed_point()
    {
        byte[] once = JsonCanonicalizer.Canonicalize(SortingInput);
        Assert.Equal(once, JsonCanonicalizer.Canonicalize(once));
        byte[] main = JsonCanonicalizer.Canonicalize(Rfc8785Input);
        Assert.Equal(main, JsonCanonicalizer.Canonicalize(main));
    }

    [Fact]
    public void Signing_the_canonical_form_is_independent_of_formatting()
    {
        Sm2KeyPair key = Sm2KeyPair.Generate();
        byte[] signature = Sm2Signer.Sign(key, JsonCanonicalizer.Canonicalize("{\"b\":2,\"a\":\"证照\"}"));
        Assert.True(Sm2Signer.Verify(key, JsonCanonicalizer.Canonicalize("{ \"a\" : \"\\u8bc1\\u7167\", \"b\" : 2.0 }"), signature));
        Assert.False(Sm2Signer.Verify(key, JsonCanonicalizer.Canonicalize("{\"a\":\"证照\",\"b\":3}"), signature));
    }
}
