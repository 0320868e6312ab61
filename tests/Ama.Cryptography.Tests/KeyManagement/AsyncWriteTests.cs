using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>StoreAsync, DeleteAsync and RefreshAsync: sealed before they return, cancelled before the write begins, or done.</summary>
public sealed class AsyncWriteTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task StoreAsync_stores_a_new_version_and_the_caller_may_zero_its_buffer_as_soon_as_it_has_the_task()
    {
        using var storage = CreateWithKey(dir.File(), key);
        byte[] material = ValueFor("a");
        byte[] expected = [.. material];

        Task<int> first = storage.StoreAsync("a", material, TestContext.Current.CancellationToken);
        Array.Clear(material);
        Assert.Equal(1, await first);

        byte[] second = ValueFor("b");
        Task<int> next = storage.StoreAsync("a", second.AsMemory(), TestContext.Current.CancellationToken);
        Array.Clear(second);
        Assert.Equal(2, await next);

        using var reopened = OpenWithKey(dir.File(), key);
        Assert.Equal(ValueFor("b"), RetrieveBytes(reopened, "a"));
        using var v1 = reopened.Retrieve("a", 1);
        Assert.Equal(expected, v1.Span.ToArray());
    }

    [Fact]
    public async Task StoreAsync_from_a_secure_buffer_that_is_disposed_as_soon_as_the_task_is_returned()
    {
        using var storage = CreateWithKey(dir.File(), key);
        var material = new SecureBuffer(32);
        ValueFor("s").CopyTo(material.Span);

        Task<int> stored = storage.StoreAsync("s", material, TestContext.Current.CancellationToken);
        material.Dispose();
        Assert.Equal(1, await stored);
        Assert.Equal(ValueFor("s"), RetrieveBytes(storage, "s"));

        Assert.Throws<ArgumentNullException>(() => { _ = storage.StoreAsync("s", (SecureBuffer)null!, TestContext.Current.CancellationToken); });
        Assert.Throws<ObjectDisposedException>(() => { _ = storage.StoreAsync("s", material, TestContext.Current.CancellationToken); });
    }

    [Fact]
    public void Invalid_arguments_are_thrown_at_once_and_store_nothing()
    {
        using var storage = CreateWithKey(dir.File(), key);
        Assert.Throws<ArgumentException>(() => { _ = storage.StoreAsync("bad name", new byte[1], TestContext.Current.CancellationToken); });
        Assert.Throws<ArgumentException>(() => { _ = storage.StoreAsync("big", new byte[SecureKeyStorage.MaxKeyMaterialLength + 1], TestContext.Current.CancellationToken); });
        Assert.Throws<ArgumentException>(() => { _ = storage.DeleteAsync("bad name", TestContext.Current.CancellationToken); });
        Assert.Equal(1, storage.Generation);
    }

    [Fact]
    public async Task A_store_cancelled_before_it_begins_leaves_the_store_unchanged()
    {
        using var storage = CreateWithKey(dir.File(), key);
        byte[] before = File.ReadAllBytes(dir.File());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Task<int> store = storage.StoreAsync("a", new byte[] { 1 }, cancelled.Token);
        Assert.True(store.IsCanceled);
        await Assert.ThrowsAsync<TaskCanceledException>(() => store);
        Assert.False(storage.Contains("a"));
        Assert.Equal(1, storage.Generation);
        Assert.Equal(before, File.ReadAllBytes(dir.File()));

        // Control: the same call with a live token stores.
        Assert.Equal(1, await storage.StoreAsync("a", new byte[] { 1 }, TestContext.Current.CancellationToken));
        Assert.NotEqual(before, File.ReadAllBytes(dir.File()));
    }

    [Fact]
    public async Task DeleteAsync_removes_a_name_and_a_cancelled_one_removes_nothing()
    {
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("a", [1]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.DeleteAsync("a", cancelled.Token));
        Assert.True(storage.Contains("a"));
        Assert.Equal(2, storage.Generation);

        Assert.True(await storage.DeleteAsync("a", TestContext.Current.CancellationToken));
        Assert.False(await storage.DeleteAsync("a", TestContext.Current.CancellationToken));
        using var reopened = OpenWithKey(dir.File(), key);
        Assert.False(reopened.Contains("a"));
    }

    [Fact]
    public async Task RefreshAsync_reads_what_another_instance_wrote_unless_cancelled()
    {
        using var storage = CreateWithKey(dir.File(), key);
        using (var other = OpenWithKey(dir.File(), key))
        {
            other.Store("from-other", [9]);
        }

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.RefreshAsync(cancelled.Token));
        Assert.False(storage.Contains("from-other"));

        await storage.RefreshAsync(TestContext.Current.CancellationToken);
        Assert.Equal([9], RetrieveBytes(storage, "from-other"));
    }

    [Fact]
    public async Task Failures_are_in_the_task()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        Assert.Throws<InvalidOperationException>(() => { _ = storage.RefreshAsync(TestContext.Current.CancellationToken); });
        Assert.Equal(1, await storage.StoreAsync("m", new byte[] { 1 }, TestContext.Current.CancellationToken));

        // The directory goes: the write fails, and the failure comes with the task, not from the call.
        string path = dir.File("gone/store.amaks");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var fileStorage = CreateWithKey(path, key);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        Task<int> store = fileStorage.StoreAsync("x", new byte[] { 1 }, TestContext.Current.CancellationToken);
        Assert.True(store.IsFaulted);
        await Assert.ThrowsAnyAsync<Exception>(() => store);

        storage.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { _ = storage.StoreAsync("m", new byte[] { 1 }, TestContext.Current.CancellationToken); });
    }
}
