using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// RefreshAsync reads without the instance's lock, so a commit of the same instance can land between
/// its read and its apply. The read is held open here by the test (no timing involved): the image it
/// then returns is older than what the instance holds, and that is not a rollback.
/// </summary>
public sealed class RefreshAsyncOvertakenTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task An_image_overtaken_by_the_instances_own_commit_is_read_again_not_taken_for_a_rollback()
    {
        using (CreateWithKey(dir.File(), key))
        {
        }

        var backend = new HeldReadBackend(dir.File());
        using var credential = KeyStoreCredential.FromKey(key);
        using var storage = SecureKeyStorage.OpenIn(backend, credential);

        Task refresh = storage.RefreshAsync(TestContext.Current.CancellationToken);
        byte[] oldImage = await backend.ReadStarted.Task;
        Assert.False(refresh.IsCompleted);

        storage.Store("committed-meanwhile", [1]);
        backend.Release(oldImage);
        await refresh;

        Assert.Equal(2, storage.Generation);
        Assert.True(storage.Contains("committed-meanwhile"));
        storage.Store("still-writable", [2]);
    }

    [Fact]
    public async Task A_real_rollback_found_by_the_read_again_is_still_refused()
    {
        using (var created = CreateWithKey(dir.File(), key))
        {
            created.Store("a", [1]);
        }

        byte[] generationTwo = File.ReadAllBytes(dir.File());
        var backend = new HeldReadBackend(dir.File());
        using var credential = KeyStoreCredential.FromKey(key);
        using var storage = SecureKeyStorage.OpenIn(backend, credential);
        storage.Store("b", [2]);

        // The file goes back to generation 2 while this instance holds 3: the read returns it, and the read again too.
        Task refresh = storage.RefreshAsync(TestContext.Current.CancellationToken);
        await backend.ReadStarted.Task;
        File.WriteAllBytes(dir.File(), generationTwo);
        backend.Release(generationTwo);
        await Assert.ThrowsAsync<KeyStoreDamagedException>(() => refresh);
        Assert.Throws<KeyStoreDamagedException>(() => storage.Store("c", [3]));
    }

    /// <summary>A file backend whose asynchronous read starts (reading the file) and then waits for the test to release it.</summary>
    private sealed class HeldReadBackend(string path) : IKeyStoreBackend
    {
        private readonly KeyStoreFileBackend file = new(path);
        private readonly TaskCompletionSource<byte[]> released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<byte[]> ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Location => file.Location;

        public KeyStoreBinding Binding => file.Binding;

        public void Release(byte[] image) => released.SetResult(image);

        public byte[] Read() => file.Read();

        public Task<byte[]> ReadAsync(CancellationToken cancellationToken)
        {
            ReadStarted.SetResult(file.Read());
            return released.Task;
        }

        public void Create(byte[] image) => file.Create(image);

        public bool TryCreate(byte[] image) => file.TryCreate(image);

        public IKeyStoreWriter BeginWrite() => file.BeginWrite();

        public void Dispose() => file.Dispose();
    }
}
