namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>
/// One note of a core file's PT_NOTE segment, with the file offset of its descriptor, and the thread (LWP) and
/// stack pointer of the NT_PRSTATUS it follows (0 for the process-wide notes before the first thread).
/// </summary>
public sealed record ElfNote(uint Type, string Name, long DescriptorOffset, byte[] Descriptor, int ThreadId, ulong StackPointer);
