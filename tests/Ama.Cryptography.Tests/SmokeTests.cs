namespace Ama.Cryptography.Tests;

public class SmokeTests
{
    [Fact]
    public void Buffer_round_trip()
    {
        using var buffer = new SecureBuffer(32);
        buffer.Span.Fill(7);
        Assert.Equal(7, buffer.Span[31]);
        Assert.True(buffer.IsLocked, buffer.ToString());
    }
}
