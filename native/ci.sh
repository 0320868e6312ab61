#!/usr/bin/env bash
# CI for the AMA native backend (Debian 12 or similar).
#   - installs the few Debian packages it needs, only when absent
#   - Release build with gcc, CTest (unit tests + dudect)
#   - libFuzzer build with clang-14, fuzz test for AMA_FUZZ_SECONDS (60)
#   - last line: "N passed, N failed" over all CTest tests run
# Runs from any directory. Exit status is non-zero if anything failed.
set -euo pipefail

NATIVE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="${NATIVE_DIR}/build"
FUZZ_DIR="${NATIVE_DIR}/build-fuzz"
FUZZ_SECONDS="${AMA_FUZZ_SECONDS:-60}"
CLANG="${AMA_CLANG:-clang-14}"
JOBS="$(nproc 2>/dev/null || echo 2)"

passed=0
failed=0
status=0
summary() {
    # Always the very last line, whatever happened before.
    echo "${passed} passed, ${failed} failed"
}
trap summary EXIT

step() { printf '\n==== %s ====\n' "$*"; }

# ---- dependencies -----------------------------------------------------------
need_pkgs=()
pkg_missing() {
    ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    for p in cmake make gcc libc6-dev clang-14 libclang-rt-14-dev; do
        if pkg_missing "$p"; then need_pkgs+=("$p"); fi
    done
    if ((${#need_pkgs[@]})); then
        step "installing: ${need_pkgs[*]}"
        SUDO=""
        if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
        $SUDO apt-get update
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need_pkgs[@]}"
    else
        step "dependencies already installed"
    fi
else
    step "not a Debian system: assuming cmake, a C compiler and ${CLANG} are present"
fi

# ctest wrapper: runs, shows output of failures, adds to the counters.
run_ctest() {
    local dir="$1"; shift
    local log rc=0 total nfail
    log="$(mktemp)"
    (cd "$dir" && ctest --output-on-failure "$@") 2>&1 | tee "$log" || rc=$?
    # "100% tests passed, 0 tests failed out of 8"
    if line="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"; then
        total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")"
        nfail="$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")"
        passed=$((passed + total - nfail))
        failed=$((failed + nfail))
    elif [ "$rc" -ne 0 ] || grep -q 'No tests were found' "$log"; then
        echo "ctest in ${dir} produced no summary" >&2
        rc=1
    fi
    rm -f "$log"
    return "$rc"
}

# ---- Release build + tests ---------------------------------------------------
step "configure + build (Release, ${CC:-default cc})"
if ! { cmake -S "$NATIVE_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
        && cmake --build "$BUILD_DIR" -j "$JOBS"; }; then
    echo "Release build FAILED" >&2
    status=1
fi

if [ "$status" -eq 0 ]; then
    step "ctest (unit tests + dudect; verbose, so the t values are shown)"
    run_ctest "$BUILD_DIR" -V || status=1
    step "consttime memcmp throughput (informational)"
    "$BUILD_DIR/tests/bench_memcmp" || true
fi

# ---- fuzzing -----------------------------------------------------------------
step "configure + build fuzz target (${CLANG}, ASan+UBSan+libFuzzer)"
if ! { cmake -S "$NATIVE_DIR" -B "$FUZZ_DIR" -DCMAKE_BUILD_TYPE=Release \
            -DCMAKE_C_COMPILER="$CLANG" -DAMA_FUZZ=ON -DAMA_BUILD_TESTS=OFF \
            -DAMA_FUZZ_SECONDS="$FUZZ_SECONDS" \
        && cmake --build "$FUZZ_DIR" -j "$JOBS"; }; then
    echo "fuzz build FAILED" >&2
    status=1
else
    step "fuzz for ${FUZZ_SECONDS} s"
    run_ctest "$FUZZ_DIR" -L fuzz || status=1
    step "fuzz statistics"
    grep -hE '(DONE|stat::)' "$FUZZ_DIR"/Testing/Temporary/LastTest*.log 2>/dev/null || true
fi

if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
    echo "CI FAILED"
    exit 1
fi
echo "CI OK"
