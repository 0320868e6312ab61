using System.Security.Cryptography;
using Ama.Cli.KeyStore;
using Ama.Cli.Secrets;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.Encryption;

/// <summary>
/// Runs <c>encrypt</c> or <c>decrypt</c>: opens the store the way <c>ama keystore</c> does, opens the
/// entry's key ring, and streams the input through it in constant memory. A file output appears
/// only after the whole stream is written (and, for decrypt, verified).
/// </summary>
internal static class StreamActions
{
    internal static int Run(StoreTarget target, CredentialInput credential, string keyName, StreamPlan plan, bool decrypt)
    {
        using SecureKeyStorage storage = KeyStoreActions.Open(target, credential);
        using KeyRingAead aead = OpenRing(storage, keyName);
        using var input = new ProgressStream(plan.OpenInput(), plan.InputLength, plan.Command, Terminal.StderrIsTerminal);
        if (plan.OutputPath is null)
        {
            // stdout cannot be taken back: a reader of a failed decrypt is told to discard what it got.
            using Stream stdout = StandardOutput.Open();
            Transform(aead, input, stdout, plan, decrypt);
            return ExitCodes.Success;
        }

        using (StagedOutput output = StagedOutput.Create(plan.OutputPath, plan.Force))
        {
            Transform(aead, input, output.Stream, plan, decrypt);
            using (HeldSecrets.EnterIrreversibleStep())
            {
                output.Commit();
            }
        }

        input.Clear();
        Console.Error.WriteLine($"{(decrypt ? "Decrypted" : "Encrypted")} {plan.InputName} with key {keyName} to {plan.OutputPath}, mode 0600.");
        return ExitCodes.Success;
    }

    private static void Transform(KeyRingAead aead, Stream input, Stream output, StreamPlan plan, bool decrypt)
    {
        if (!decrypt)
        {
            aead.EncryptStreamAsync(input, output).GetAwaiter().GetResult();
            return;
        }

        try
        {
            aead.DecryptStreamAsync(input, output).GetAwaiter().GetResult();
        }
        catch (CryptographicException e)
        {
            throw EncryptionErrors.Damaged(plan.InputName, e.Message, toStdout: plan.OutputPath is null);
        }
        catch (PlatformNotSupportedException e)
        {
            throw EncryptionErrors.AlgorithmUnavailable(plan.InputName, e.Message);
        }
    }

    private static KeyRingAead OpenRing(SecureKeyStorage storage, string keyName)
    {
        try
        {
            return KeyRingAead.Open(storage, keyName);
        }
        catch (CryptographicException e)
        {
            // A version that is not a 32-byte key (a password, an Ed25519 seed of another length) is a data error, not a bug.
            throw EncryptionErrors.KeyUnusable(keyName, e.Message);
        }
    }
}
