using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.DataProtection;

namespace Ama.Cryptography.DataProtection.Tests;

/// <summary>
/// Data Protection creates the decryptor from the type name stored in the key XML, by reflection on its
/// IServiceProvider constructor. In a trimmed or Native AOT app that constructor survives only if
/// something roots it; without it, a restarted app cannot read back any key it wrote
/// ("No parameterless constructor defined for type SecureKeyStorageXmlDecryptor", seen in a Native AOT publish).
/// </summary>
public sealed class TrimmingTests
{
    [Fact]
    public void ProtectKeysWithSecureKeyStorage_roots_the_decryptor_constructor_that_Data_Protection_calls_by_name()
    {
        MethodInfo extension = typeof(SecureKeyStorageDataProtectionBuilderExtensions).GetMethod(
            nameof(SecureKeyStorageDataProtectionBuilderExtensions.ProtectKeysWithSecureKeyStorage))!;
        Assert.True(Roots(extension, typeof(SecureKeyStorageXmlDecryptor), DynamicallyAccessedMemberTypes.PublicConstructors),
            "ProtectKeysWithSecureKeyStorage must carry [DynamicDependency(PublicConstructors, typeof(SecureKeyStorageXmlDecryptor))].");

        // The constructor Data Protection looks up is the one the dependency keeps.
        Assert.NotNull(typeof(SecureKeyStorageXmlDecryptor).GetConstructor([typeof(IServiceProvider)]));

        // Control: the check does not pass for a method without the attribute.
        MethodInfo persist = typeof(SecureKeyStorageDataProtectionBuilderExtensions).GetMethod(
            nameof(SecureKeyStorageDataProtectionBuilderExtensions.PersistKeysToSecureKeyStorage))!;
        Assert.False(Roots(persist, typeof(SecureKeyStorageXmlDecryptor), DynamicallyAccessedMemberTypes.PublicConstructors));
    }

    private static bool Roots(MethodInfo method, Type type, DynamicallyAccessedMemberTypes members) =>
        method.GetCustomAttributes<DynamicDependencyAttribute>().Any(a => a.Type == type && a.MemberTypes.HasFlag(members));
}
