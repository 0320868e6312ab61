using Ama.Cryptography.KeyManagement;
using System.Globalization;
using System.Security.Cryptography;

namespace Ama.Cryptography.DataProtection;

/// <summary>Builds every exception message of this package in one place: they name the element, the key name or the version that was wrong, never key material.</summary>
internal static class Error
{
    private static string Format(string format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);

    internal static InvalidOperationException KeyStorageNotRegistered() => new(
        "No SecureKeyStorage is registered in the service provider. Register one (AddSecureKeyStorage from Ama.Cryptography.Hosting, or services.AddSingleton(SecureKeyStorage.Open(...))) before using ProtectKeysWithSecureKeyStorage or PersistKeysToSecureKeyStorage.");

    internal static ArgumentException InvalidKeyName(string paramName) => new(
        "The key-encryption key name must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.", paramName);

    internal static ArgumentException KeyNameInRepositoryRange(string paramName, string prefix) => new(
        Format("The key-encryption key name must not start with '{0}': that prefix holds the Data Protection key ring.", prefix), paramName);

    internal static CryptographicException UnexpectedElement(string actual) => new(
        Format("The encrypted Data Protection key is not an <encryptedKey> element of namespace '{0}' (found '{1}').", Names.Namespace, actual));

    internal static CryptographicException MissingPart(string part) => new(
        Format("The encrypted Data Protection key has no valid {0}.", part));

    internal static CryptographicException BadBase64(string part, Exception inner) => new(
        Format("The {0} of the encrypted Data Protection key is not valid base64.", part), inner);

    internal static CryptographicException WrongLength(string part, int expected, int actual) => new(
        Format("The {0} of the encrypted Data Protection key is {1} bytes; it must be {2}.", part, actual, expected));

    internal static CryptographicException InvalidKekName() => new(
        "The encrypted Data Protection key names a key-encryption key that is not a valid key store name (1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-').");

    internal static CryptographicException InvalidKekVersion(string value) => new(
        Format("The encrypted Data Protection key names key-encryption key version '{0}'; a version is a positive integer.", value));

    internal static CryptographicException KekNotFound(string name, int version, SecureKeyStorage storage, Exception inner) => new(
        Format("The key-encryption key '{0}' version {1} is not in the key store {2}; it was destroyed, or the key XML names another key or version than it was encrypted with.", name, version, Describe(storage)), inner);

    internal static CryptographicException KekWrongLength(string name, int version, int length) => new(
        Format("The key-encryption key '{0}' version {1} holds {2} bytes; a key-encryption key is 32 bytes.", name, version, length));

    internal static CryptographicException AuthenticationFailed(string name, int version, Exception inner) => new(
        Format("The encrypted Data Protection key did not authenticate under key-encryption key '{0}' version {1}: its nonce, ciphertext, tag, key name or version was altered.", name, version), inner);

    internal static CryptographicException DecryptedNotXml(Exception inner) => new(
        "The decrypted Data Protection key is not well-formed XML.", inner);

    internal static CryptographicException MissingBinding() => new(
        "The encrypted Data Protection key is bound to its key element (format 2), but no binding was given: it must be read through the key repository that ProtectKeysWithSecureKeyStorage wraps, which adds the binding of the enclosing <key> element.");

    internal static CryptographicException UnknownFormat(string value) => new(
        Format("The encrypted Data Protection key has format '{0}'; this version reads format 1 (no attribute) and 2.", value));

    internal static CryptographicException BoundAuthenticationFailed(string name, int version, Exception inner) => new(
        Format("The encrypted Data Protection key did not authenticate under key-encryption key '{0}' version {1} for the key element it is in: it was moved from another key element, or that element's id, dates or algorithms, or the seal's nonce, ciphertext, tag, key name or version, were altered.", name, version), inner);

    internal static InvalidOperationException ProtectWithoutRepository() => new(
        "ProtectKeysWithSecureKeyStorage needs a key repository configured explicitly (PersistKeysToSecureKeyStorage, PersistKeysToFileSystem, ...): it wraps that repository so that keys whose master key it did not seal are refused and every sealed key is bound to its key element, and Data Protection's default repository, chosen later, cannot be wrapped.");

    internal static InvalidOperationException ProtectWithOtherEncryptor(string encryptorType) => new(
        Format("ProtectKeysWithSecureKeyStorage is configured, but the XML encryptor is '{0}': another Protect... call replaced it. Every key that encryptor seals would be refused; configure one key encryption only.", encryptorType));

    private static string Describe(SecureKeyStorage storage) => storage.FilePath is { } path
        ? Format("'{0}'", path)
        : storage.IsInMemory ? "(in memory)" : "(in a database)";
}
