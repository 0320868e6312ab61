using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Picks the page source for each request, chooses slab or guarded allocation, and applies
/// the lock policy when locked memory runs out.
/// </summary>
internal static class SecureAllocator
{
    internal const string SourceVariable = "AMA_MEMORY_SOURCE";

    private static readonly Lazy<SourceChoice> ProcessChoice = new(ChooseProcessSource);
    private static long degradedAllocations;
    private static int degradationLogged;

    internal static SecureMemorySource DefaultSource => ProcessChoice.Value.Source;

    internal static string? SecretMemoryUnavailableReason => ProcessChoice.Value.SecretMemoryProblem;

    internal static long DegradedAllocations => Interlocked.Read(ref degradedAllocations);

    internal static SecureMemoryHandle Allocate(int size, SecureBufferOptions options)
    {
        PageSource source = SourceFor(options);
        if (size == 0)
        {
            return SecureMemoryHandle.Empty(source);
        }

        bool guarded = options.Guarded || size > SecureBufferOptions.GuardedThreshold;
        bool mayDegrade = source.Locks && options.LockPolicy == MemoryLockPolicy.BestEffort;
        if (mayDegrade && source.LockRetry.ShouldSkip())
        {
            return AllocateDegraded(size, guarded);
        }

        try
        {
            SecureMemoryHandle handle = AllocateFrom(source, size, guarded);
            if (mayDegrade)
            {
                source.LockRetry.RecordSuccess();
            }

            return handle;
        }
        catch (SecureMemoryException e) when (mayDegrade && !e.MapCountExhausted)
        {
            source.LockRetry.RecordFailure();
            if (Interlocked.Exchange(ref degradationLogged, 1) == 0)
            {
                Log.LockDegraded(source.Name, UnlockedFallback().Name, e.Message);
            }

            return AllocateDegraded(size, guarded);
        }
    }

    private static SecureMemoryHandle AllocateDegraded(int size, bool guarded)
    {
        Interlocked.Increment(ref degradedAllocations);
        return AllocateFrom(UnlockedFallback(), size, guarded);
    }

    internal static PageSource SourceFor(SecureBufferOptions options)
    {
        SecureMemorySource kind = options.Source ?? DefaultSource;
        PageSource source = kind switch
        {
            SecureMemorySource.SecretMemory => SecretMemory(),
            SecureMemorySource.LockedPages when options.LockPolicy == MemoryLockPolicy.None => AnonymousPageSource.Unlocked,
            SecureMemorySource.LockedPages => AnonymousPageSource.Locked,
            SecureMemorySource.UnlockedPages => AnonymousPageSource.Unlocked,
            _ => ManagedPageSource.Instance,
        };

        if (!source.Locks && options.LockPolicy == MemoryLockPolicy.Required)
        {
            throw Error.SourceUnavailable(source.Name, "it cannot lock memory, and the lock policy is Required.");
        }

        return source;
    }

    private static SecureMemoryHandle AllocateFrom(PageSource source, int size, bool guarded) =>
        guarded ? SecureMemoryHandle.Guarded(source, size) : SecureMemoryHandle.FromSlab(source, size);

    private static PageSource UnlockedFallback() =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows()
            ? AnonymousPageSource.Unlocked
            : ManagedPageSource.Instance;

    private static SecretMemorySource SecretMemory()
    {
        if (!Platform.IsLinux)
        {
            throw Error.SourceUnavailable("secret-memory", "memfd_secret exists only on Linux.");
        }

        return SecretMemorySource.Instance;
    }

    private static SourceChoice ChooseProcessSource()
    {
        string? secretProblem = Platform.IsLinux ? SecretMemorySource.Probe() : "memfd_secret exists only on Linux.";
        string? forced = Environment.GetEnvironmentVariable(SourceVariable);
        if (!string.IsNullOrEmpty(forced))
        {
            return new SourceChoice(ParseSource(forced), secretProblem);
        }

        if (secretProblem is null)
        {
            return new SourceChoice(SecureMemorySource.SecretMemory, null);
        }

        return new SourceChoice(PageLocker.IsSupported ? SecureMemorySource.LockedPages : SecureMemorySource.Managed, secretProblem);
    }

    internal static SecureMemorySource ParseSource(string value) => value.Trim().ToUpperInvariant() switch
    {
        "SECRET" or "SECRET-MEMORY" or "SECRETMEMORY" => SecureMemorySource.SecretMemory,
        "LOCKED" or "LOCKED-PAGES" or "LOCKEDPAGES" => SecureMemorySource.LockedPages,
        "MANAGED" => SecureMemorySource.Managed,
        _ => throw Error.UnknownSource(value),
    };

    private sealed record SourceChoice(SecureMemorySource Source, string? SecretMemoryProblem);
}
