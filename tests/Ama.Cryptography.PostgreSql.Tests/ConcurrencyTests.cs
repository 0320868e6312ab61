using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>Several processes writing one store at once, and others reading it all the while.</summary>
[Collection(ProcessHeavy.Name)]
public sealed class ConcurrencyTests(PostgresServer server)
{
    private const int Writers = 4;
    private const int WritesEach = 250;
    private const int Readers = 2;

    [Fact]
    public async Task Four_writer_processes_lose_no_update_and_two_reader_processes_never_see_a_torn_store()
    {
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(key);
        PostgreSqlKeyStorage.Create(dataSource, name, credential).Dispose();

        var readers = Enumerable.Range(0, Readers).Select(_ => PostgresProbe.Read(server.ConnectionString, name, key, seconds: 120)).ToList();
        var writers = new List<PostgresProbe>();
        try
        {
            // The writers start once every reader reads: started together, the writers could finish before a reader
            // had opened the store on a fast machine (or a slow reader start), and the readers then checked nothing.
            foreach (var reader in readers)
            {
                Task ready = await Task.WhenAny(reader.Reading, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
                Assert.True(ready == reader.Reading, "a reader did not start reading within 60 s:\n" + reader.Transcript);
                Assert.False(reader.HasExited, "a reader stopped before the writers started:\n" + reader.Transcript);
            }

            var clock = Stopwatch.StartNew();
            writers.AddRange(Enumerable.Range(0, Writers).Select(w => PostgresProbe.Write(server.ConnectionString, name, key, $"w{w}", WritesEach)));
            foreach (var writer in writers)
            {
                Assert.True(writer.WaitForExit(TimeSpan.FromSeconds(90)), "a writer did not finish within 90 s");
                Assert.True(writer.ExitCode == 0, writer.Transcript);
                Assert.Equal(WritesEach, writer.Acknowledged.Count);
            }

            TimeSpan writing = clock.Elapsed;
            foreach (var reader in readers)
            {
                Assert.False(reader.HasExited, "a reader stopped before the writers finished:\n" + reader.Transcript);
                reader.CloseInput();
            }

            foreach (var reader in readers)
            {
                Assert.True(reader.WaitForExit(TimeSpan.FromSeconds(30)), "a reader did not stop");
                Assert.True(reader.ExitCode == 0, reader.Transcript);
                Assert.StartsWith("ok ", reader.Transcript, StringComparison.Ordinal);
                Assert.True(ReadsOf(reader) >= 2, reader.Transcript);
            }

            TestContext.Current.SendDiagnosticMessage(
                $"{Writers}x{WritesEach} writes in {writing.TotalSeconds:F1} s; readers: {string.Join(", ", readers.Select(r => r.Transcript.Split('\n')[0]))}");
        }
        finally
        {
            foreach (var probe in readers.Concat(writers))
            {
                probe.Dispose();
            }
        }

        using var storage = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        string[] expected = [.. writers.SelectMany(w => w.Acknowledged)];
        Assert.Equal(Writers * WritesEach, expected.Distinct().Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), storage.ListKeys().Order(StringComparer.Ordinal));
        foreach (string keyName in expected)
        {
            using var value = storage.Retrieve(keyName);
            Assert.Equal(PostgresProbe.ValueOf(keyName), value.Span.ToArray());
        }

        Assert.Equal(1 + (Writers * WritesEach), storage.Generation);
    }

    private static long ReadsOf(PostgresProbe reader) => long.Parse(reader.Transcript.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}
