namespace Ama.Cryptography;

/// <summary>Messages for invalid <see cref="SecureBufferOptions"/>.</summary>
internal static partial class Error
{
    /// <summary>An enum value outside its members; the parameter is "value", as for other BCL setters.</summary>
    internal static ArgumentOutOfRangeException UndefinedOption<TEnum>(string property, TEnum value)
        where TEnum : struct, Enum => new(
            nameof(value),
            value,
            Format("SecureBufferOptions.{0} must be one of {1}.", property, string.Join(", ", Enum.GetNames<TEnum>())));
}
