namespace Ama.Cryptography.Tests.Readers;

/// <summary>The classes that set CREDENTIALS_DIRECTORY for the whole process run one after the other.</summary>
[CollectionDefinition(nameof(SetsCredentialsDirectory), DisableParallelization = true)]
public sealed class SetsCredentialsDirectory;
