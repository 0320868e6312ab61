using System.Security.Cryptography;
using System.Text;

namespace Ama.Cryptography.Tests.Readers;

/// <summary>SecureBuffer.FromBase64 and FromHex: decode into secure memory; invalid input is a FormatException that quotes none of it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DecodingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(32)]
    [InlineData(1000)]
    public void Base64_round_trips(int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(length);
        using SecureBuffer read = SecureBuffer.FromBase64(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
        Assert.Equal(key, read.Span.ToArray());
    }

    [Fact]
    public void Base64_ignores_white_space_around_and_line_breaks_inside()
    {
        byte[] key = RandomNumberGenerator.GetBytes(100);
        string wrapped = "  " + Convert.ToBase64String(key, Base64FormattingOptions.InsertLineBreaks).Insert(20, "\n") + "\r\n";
        using SecureBuffer read = SecureBuffer.FromBase64(Encoding.ASCII.GetBytes(wrapped));
        Assert.Equal(key, read.Span.ToArray());
    }

    [Theory]
    [InlineData("SECRETKEY=")]
    [InlineData("SECRETKEY")]
    [InlineData("SECRET-KEY-SECRET")]
    [InlineData("SECRET_KEY_AAA==")]
    [InlineData("SECRETKEYAAA=AAA")]
    [InlineData("SECRETKEYAAAA\u00e9")]
    public void Invalid_base64_is_FormatException_quoting_none_of_the_input(string input)
    {
        var error = Assert.Throws<FormatException>(() => SecureBuffer.FromBase64(Encoding.UTF8.GetBytes(input)));
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
        Assert.Contains("base64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_Convert_FromBase64String_accepts_what_FromBase64_accepts()
    {
        // The refusals above are about the input, not the decoder: the same text made valid decodes.
        using SecureBuffer read = SecureBuffer.FromBase64("SECRETKEYAAA"u8);
        Assert.Equal(Convert.FromBase64String("SECRETKEYAAA"), read.Span.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1000)]
    public void Hex_round_trips_in_either_case(int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(length);
        using SecureBuffer upper = SecureBuffer.FromHex(Encoding.ASCII.GetBytes(Convert.ToHexString(key)));
        using SecureBuffer lower = SecureBuffer.FromHex(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key)));
        Assert.Equal(key, upper.Span.ToArray());
        Assert.Equal(key, lower.Span.ToArray());
    }

    [Fact]
    public void Hex_allows_white_space_between_pairs_as_xxd_wraps_it()
    {
        byte[] key = RandomNumberGenerator.GetBytes(64);
        string hex = Convert.ToHexStringLower(key);
        string wrapped = " \t" + hex[..60] + "\n" + hex[60..100] + " " + hex[100..] + "\r\n";
        using SecureBuffer read = SecureBuffer.FromHex(Encoding.ASCII.GetBytes(wrapped));
        Assert.Equal(key, read.Span.ToArray());
    }

    [Theory]
    [InlineData("5EC2E7A")]
    [InlineData("5EC2E7 A")]
    [InlineData("5EC2E\n7AB")]
    [InlineData("5EC2E7ZZ")]
    [InlineData("0x5EC2E7")]
    [InlineData("5EC2E7-AB")]
    [InlineData("5EC2E7\u00e9")]
    public void Invalid_hex_is_FormatException_quoting_none_of_the_input(string input)
    {
        var error = Assert.Throws<FormatException>(() => SecureBuffer.FromHex(Encoding.UTF8.GetBytes(input)));
        Assert.DoesNotContain("5EC", error.Message, StringComparison.Ordinal);
        Assert.Contains("hexadecimal", error.Message, StringComparison.Ordinal);
    }
}
