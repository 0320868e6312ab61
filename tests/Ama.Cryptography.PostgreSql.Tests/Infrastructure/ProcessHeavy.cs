namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>The tests that run many probe processes take turns: run together on two cores they starve each other past their timeouts.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessHeavy
{
    public const string Name = "probe processes";
}
