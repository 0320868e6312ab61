using System.Globalization;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// The minimum generation a store must have at start-up (issue 23, finding 5). A running instance
/// refuses a rolled-back store because it remembers the generation it saw; a restarted one has no
/// memory, so without a pin kept apart from the store it would accept an older copy, and with it
/// every change since, revocations included, would be undone.
/// </summary>
internal static class GenerationPin
{
    /// <summary>The pin and the option it came from, or null when nothing is pinned.</summary>
    internal static (long Generation, string Source)? Read(SecureKeyStorageOptions options)
    {
        (long, string)? pin = options.MinimumGeneration > 0
            ? (options.MinimumGeneration, Error.OptionName(options, nameof(SecureKeyStorageOptions.MinimumGeneration)))
            : null;
        if (options.MinimumGenerationFile is { Length: > 0 } file)
        {
            string option = Error.OptionName(options, nameof(SecureKeyStorageOptions.MinimumGenerationFile));
            // Validated a moment ago; a file changed since is read again, and a bad one still fails.
            long fromFile = ReadFile(file) ?? throw new InvalidOperationException(Error.MinimumGenerationFileNotNumber(option, file));
            if (pin is null || fromFile > pin.Value.Item1)
            {
                pin = (fromFile, option + " ('" + file + "')");
            }
        }

        return pin;
    }

    /// <summary>The generation on the file's first line, or null when the file does not hold one.</summary>
    internal static long? ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        string? line = reader.ReadLine()?.Trim();
        return long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out long generation) ? generation : null;
    }

    /// <summary>Refuses a store below the pin; the caller disposes it.</summary>
    internal static void Check(SecureKeyStorage storage, (long Generation, string Source)? pin)
    {
        if (pin is { } p && storage.Generation < p.Generation)
        {
            throw Error.StoreOlderThanPin(storage.FilePath ?? storage.ToString(), storage.Generation, p.Generation, p.Source);
        }
    }
}
