using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of KeyRingAead; they name keys and versions, never key or message bytes.</summary>
internal static partial class Error
{
    internal static CryptographicException KeyRingKeyLength(string name, int version, int length) => new(
        Format("Version {1} of the key '{0}' is {2} bytes long; a key ring needs 32-byte keys.", name, version, length));

    internal static CryptographicException KeyRingVersionUnavailable(string name, int version) => new(
        Format("The ciphertext was sealed with version {1} of the key '{0}', which the key store does not hold: it was destroyed or deleted, or never stored there.", name, version));

    internal static CryptographicException KeyRingAlgorithmUnsupported(byte algorithm) => new(
        Format("The ciphertext names algorithm {0}, which no key ring format defines.", algorithm));

    internal static CryptographicException KeyRingNotACiphertext(bool stream) => new(stream
        ? "The data does not start with a key ring stream header."
        : "The data does not start with a key ring message header.");

    internal static CryptographicException KeyRingWrongFormat(bool expectedStream) => new(expectedStream
        ? "The data is a key ring message (format byte 0x01), not a stream: decrypt it with KeyRingAead.Decrypt, not DecryptStreamAsync."
        : "The data is a key ring stream (format byte 0x02), not a message: decrypt it with KeyRingAead.DecryptStreamAsync, not Decrypt.");

    internal static CryptographicException KeyRingVersionOutOfRange(uint version) => new(
        Format("The header names key version {0}; key versions run from 1 to 2147483647.", version));

    internal static CryptographicException KeyRingTruncated(bool stream) => new(stream
        ? "The key ring stream ends before its header or last chunk is complete."
        : "The key ring ciphertext is shorter than its header, nonce and tag.");

    internal static CryptographicException KeyRingChunkSize(long chunkSize, int max) => new(
        Format("The stream header names a chunk size of {0} bytes; 1 to {1} are allowed.", chunkSize, max));

    internal static ArgumentException KeyRingDestinationTooSmall(string paramName, int needed, int actual) => new(
        Format("The destination must hold at least {0} bytes, not {1}.", needed, actual), paramName);

    internal static ArgumentException KeyRingStreamNotReadable(string paramName) => new(
        "The stream cannot be read (CanRead is false); pass a stream opened for reading.", paramName);

    internal static ArgumentException KeyRingStreamNotWritable(string paramName) => new(
        "The stream cannot be written (CanWrite is false); pass a stream opened for writing.", paramName);

    internal static ArgumentException KeyRingTooLong(string paramName, int length, int max) => new(
        Format("{0} bytes are more than a key ring ciphertext can hold; at most {1}.", length, max), paramName);

    internal static ArgumentException KeyRingOverlap(string paramName) => new(
        "The destination overlaps the input; use separate buffers.", paramName);

    internal static ArgumentException KeyRingDecryptOverlap(string paramName) => new(
        "The destination overlaps the ciphertext other than exactly at its encrypted body (after the header and nonce); use a separate buffer, or decrypt in place at that offset.", paramName);

    internal static InvalidOperationException KeyRingStreamTooLong() => new(
        "The stream has more than 2^32 chunks, the most one stream header can number; split the data.");
}
