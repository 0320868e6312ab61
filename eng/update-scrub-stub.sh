#!/usr/bin/env bash
# Assembles native/scrub/scrub_x86_64.S (binutils' `as`) and writes its sections as the byte arrays of
# src/Ama.Cryptography/Interop/ScrubStubCode.cs. Run it after editing the assembly; a test (ScrubStubTests)
# fails while the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
as --64 -o "$work/scrub.o" native/scrub/scrub_x86_64.S
section() {
  objcopy -O binary -j ".text.ama_$1" "$work/scrub.o" "$work/$1.bin"
  od -An -v -tx1 "$work/$1.bin" | tr -s ' \n' ' ' | sed -E 's/^ //; s/ $//; s/([0-9a-f]{2})/0x\1,/g; s/,$//' | fold -w 96 -s | sed 's/^/        /; s/ *$//'
}
out=src/Ama.Cryptography/Interop/ScrubStubCode.cs
{
  cat <<'HEAD'
namespace Ama.Cryptography.Interop;

/// <summary>
/// The machine code of native/scrub/scrub_x86_64.S, assembled by eng/update-scrub-stub.sh (generated; do not edit).
/// </summary>
internal static class ScrubStubCode
{
HEAD
  for s in sse avx avx512 xgetbv; do
    case $s in
      sse) doc="The stub for CPUs without AVX: clears xmm0-15.";;
      avx) doc="The stub for AVX CPUs: vzeroall clears ymm0-15.";;
      avx512) doc="The stub for AVX-512 CPUs: also zmm16-31 and the opmask registers.";;
      xgetbv) doc="Returns XCR0, the register state the kernel has enabled.";;
    esac
    name=$(echo "$s" | sed 's/sse/Sse/; s/avx512/Avx512/; s/avx/Avx/; s/xgetbv/XGetBv/')
    printf '    /// <summary>%s</summary>\n    internal static ReadOnlySpan<byte> X64%s =>\n    [\n' "$doc" "$name"
    section "$s"
    printf '\n    ];\n\n'
  done
} | sed '$d' > "$out"
echo "}" >> "$out"
echo "wrote $out"
