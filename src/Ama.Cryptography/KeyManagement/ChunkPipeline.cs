using System.Buffers;
using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>Seals or opens one chunk into <paramref name="output"/> and returns the bytes written there.</summary>
internal delegate int ChunkTransform(uint counter, bool last, ReadOnlySpan<byte> chunk, Span<byte> output);

/// <summary>
/// Moves a stream through a chunk transform in batches of several chunks, with two sets of buffers: while one
/// batch is transformed, the next is read and the previous one written. Reading, sealing and writing then
/// overlap on separate cores, and a file costs one system call per batch rather than per chunk.
/// </summary>
/// <remarks>
/// Every chunk is as long as <c>inputChunk</c> except the last, which holds what remains (and is empty only when
/// the whole input is). One byte of look-ahead past each batch tells whether the input ended with it, so the
/// last chunk is known without a second read. Never more than one read on the input and one write on the output
/// are in flight, and both have finished when <see cref="RunAsync"/> returns or throws.
/// </remarks>
internal static class ChunkPipeline
{
    /// <summary>Input bytes per batch: large enough that a system call and a thread-pool hop are a small part of one, small enough to stay in a core's cache.</summary>
    internal const int BatchBytes = 256 * 1024;

    internal static async Task RunAsync(Stream input, Stream output, int inputChunk, int outputChunk, ChunkTransform transform, CancellationToken cancellationToken)
    {
        int chunks = Math.Max(1, BatchBytes / inputChunk);
        var current = Batch.Rent(chunks, inputChunk, outputChunk);
        var next = Batch.Rent(chunks, inputChunk, outputChunk);
        Task<int>? pendingRead = null;
        Task pendingWrite = Task.CompletedTask;
        try
        {
            int filled = await ReadFullyAsync(input, current.InputWindow(0), cancellationToken).ConfigureAwait(false);
            for (uint counter = 0; ; )
            {
                bool final = filled < current.InputCapacity;
                if (!final)
                {
                    next.Input[0] = current.Input[current.InputCapacity - 1];
                    pendingRead = ReadFullyAsync(input, next.InputWindow(1), cancellationToken);
                }

                int produced = TransformBatch(current, final ? filled : current.InputCapacity - 1, final, inputChunk, transform, ref counter);
                await pendingWrite.ConfigureAwait(false);
                pendingWrite = output.WriteAsync(current.Output.AsMemory(0, produced), cancellationToken).AsTask();
                if (final)
                {
                    await pendingWrite.ConfigureAwait(false);
                    return;
                }

                filled = 1 + await pendingRead!.ConfigureAwait(false);
                pendingRead = null;
                (current, next) = (next, current);
            }
        }
        finally
        {
            // A failure must not leave a read filling, or a write sending, a buffer that is about to be wiped and pooled.
            await (pendingRead ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await pendingWrite.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            current.Return();
            next.Return();
        }
    }

    internal static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static int TransformBatch(Batch batch, int length, bool final, int inputChunk, ChunkTransform transform, ref uint counter)
    {
        var input = batch.Input.AsSpan(0, length);
        var output = batch.Output.AsSpan();
        int produced = 0;
        for (int offset = 0; final || offset < length; counter = NextCounter(counter))
        {
            int remaining = length - offset;
            bool last = final && remaining <= inputChunk;
            int size = last ? remaining : inputChunk;
            produced += transform(counter, last, input.Slice(offset, size), output[produced..]);
            offset += size;
            if (last)
            {
                break;
            }
        }

        return produced;
    }

    private static uint NextCounter(uint counter) => counter == uint.MaxValue ? throw Error.KeyRingStreamTooLong() : counter + 1;

    /// <summary>One batch's buffers, from the shared pool, wiped before they go back: one side of them is plaintext.</summary>
    private sealed class Batch(byte[] input, int inputCapacity, byte[] output, int outputCapacity)
    {
        internal byte[] Input { get; } = input;

        internal int InputCapacity { get; } = inputCapacity;

        internal byte[] Output { get; } = output;

        internal static Batch Rent(int chunks, int inputChunk, int outputChunk)
        {
            int inputCapacity = checked((chunks * inputChunk) + 1);
            int outputCapacity = checked(chunks * outputChunk);
            return new Batch(ArrayPool<byte>.Shared.Rent(inputCapacity), inputCapacity, ArrayPool<byte>.Shared.Rent(outputCapacity), outputCapacity);
        }

        internal Memory<byte> InputWindow(int start) => Input.AsMemory(start, InputCapacity - start);

        /// <summary>Wipes what this pipeline could have written (a pooled array may be longer) and gives the arrays back.</summary>
        internal void Return()
        {
            CryptographicOperations.ZeroMemory(Input.AsSpan(0, InputCapacity));
            CryptographicOperations.ZeroMemory(Output.AsSpan(0, outputCapacity));
            ArrayPool<byte>.Shared.Return(Input);
            ArrayPool<byte>.Shared.Return(Output);
        }
    }
}
