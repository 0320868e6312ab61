/*
 * The scrubbing call stub of Ama.Cryptography for x86-64 (System V ABI: Linux).
 *
 * The managed library does not link this file: it carries the assembled bytes of each section below
 * (src/Ama.Cryptography/Interop/ScrubStubCode.cs) and maps them into an executable page, so the stub runs
 * with or without libama_secure_memory. A test assembles this file and checks that the bytes are the same.
 *
 *   intptr_t stub(ama_call *calls, intptr_t count, size_t depth)
 *   typedef struct { void *fn; intptr_t args[10]; intptr_t result; } ama_call;   96 bytes
 *
 * Calls each function with its ten arguments (extra arguments are ignored by the callee), stores each
 * result, then zeroes every vector register the CPU has, the `depth` bytes (a multiple of 64) of stack below
 * its own frame that the callees used, and the caller-saved general registers, and returns the last result. Nothing a
 * callee computed from a key is left where a later signal frame, register snapshot or core file finds it.
 *
 * One section per register file: the managed code picks the one the CPU and the kernel support.
 */
    .intel_syntax noprefix

    .macro SCRUB_CALLS vector, store
    endbr64
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14                        /* rsp is 16-byte aligned again here */
    mov r12, rdi                    /* the next call record */
    mov r13, rsi                    /* records left */
    mov r14, rdx                    /* stack depth to zero */
    xor ebx, ebx                    /* the last result */
    test r13, r13
    jz 2f
1:
    push qword ptr [r12 + 80]       /* arguments 7 to 10 go on the stack, last first */
    push qword ptr [r12 + 72]
    push qword ptr [r12 + 64]
    push qword ptr [r12 + 56]
    mov rdi, [r12 + 8]
    mov rsi, [r12 + 16]
    mov rdx, [r12 + 24]
    mov rcx, [r12 + 32]
    mov r8, [r12 + 40]
    mov r9, [r12 + 48]
    xor eax, eax
    call qword ptr [r12]
    add rsp, 32
    mov [r12 + 88], rax
    mov rbx, rax
    add r12, 96
    dec r13
    jnz 1b
2:
    /* Registers first: afterwards the first vector register is zero, and the stack is zeroed with it. */
    \vector
    /* Move rsp below the area first, so a signal that arrives now cannot have its frame zeroed. The stores are
       aligned to 64 bytes (a store that splits a cache line costs two): whole lines from below the area up to
       the last line under the frame, then one store that ends exactly at the frame, overlapping the last line. */
    test r14, r14
    jz 4f
    mov rax, rsp
    sub rsp, r14
    and rsp, -64
    mov rdi, rsp
    lea rcx, [rax - 64]
    cmp rdi, rcx
    jae 5f
3:
    \store rdi
    add rdi, 64
    cmp rdi, rcx
    jb 3b
5:
    \store rcx
    mov rsp, rax
4:
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    mov rax, rbx
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
    .endm

    .macro SSE_STORE at
    movdqu [\at], xmm0
    movdqu [\at + 16], xmm0
    movdqu [\at + 32], xmm0
    movdqu [\at + 48], xmm0
    .endm

    .macro AVX_STORE at
    vmovdqu [\at], ymm0
    vmovdqu [\at + 32], ymm0
    .endm

    .macro AVX512_STORE at
    vmovdqu64 [\at], zmm0
    .endm

    .macro SSE_ZERO
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    pxor xmm\n, xmm\n
    .endr
    .endm

    /* vzeroall is microcoded (with it and rep stosb the stub was about a quarter slower); vzeroupper (which also
       leaves the upper state clean for legacy-SSE code such as SHA-NI) and one zero idiom per register do the same. */
    .macro AVX_ZERO
    vzeroupper
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vpxor xmm\n, xmm\n, xmm\n
    .endr
    .endm

    /* zmm16-31 and the opmask registers need EVEX instructions; a 128-bit EVEX zeroing clears the whole register. */
    .macro AVX512_ZERO
    AVX_ZERO
    .irp n, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    vpxord xmm\n, xmm\n, xmm\n
    .endr
    .irp n, 0,1,2,3,4,5,6,7
    kxorw k\n, k\n, k\n
    .endr
    .endm

    .section .text.ama_sse, "ax"
    SCRUB_CALLS SSE_ZERO, SSE_STORE

    .section .text.ama_avx, "ax"
    SCRUB_CALLS AVX_ZERO, AVX_STORE

    .section .text.ama_avx512, "ax"
    SCRUB_CALLS AVX512_ZERO, AVX512_STORE

    /* uint64_t xgetbv0(void): XCR0, the register state the kernel saves and restores (AVX, AVX-512). */
    .section .text.ama_xgetbv, "ax"
    endbr64
    xor ecx, ecx
    xgetbv
    shl rdx, 32
    or rax, rdx
    ret
