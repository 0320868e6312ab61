#!/usr/bin/env bash
# Times `ama encrypt` and `ama decrypt` against `cat` and age on the same 1 GiB file, on tmpfs,
# in one run: each command three times, the median reported, with the ratios.
#
#   bash eng/bench-encrypt.sh            # builds the Release tool first
#   AMA_BENCH_MIB=256 bash eng/bench-encrypt.sh
#
# Installs age (Debian package `age`) when it is missing. The ama store holds a raw key
# (--key-file), so no password KDF is timed; each ama run still includes starting the .NET
# runtime and opening the store, as a user's run would.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mib=${AMA_BENCH_MIB:-1024}
runs=3

if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
  echo "installing age..." >&2
  apt-get install -y age >/dev/null
fi

dotnet build "$repo/src/Ama.Cli" -c Release -v quiet -nologo >/dev/null
ama=(dotnet "$repo/src/Ama.Cli/bin/Release/net10.0/ama.dll")

work=$(mktemp -d /dev/shm/ama-bench-encrypt.XXXX)
trap 'rm -rf "$work"' EXIT
head -c $((mib * 1024 * 1024)) /dev/urandom > "$work/in"
head -c 32 /dev/urandom > "$work/master.key"
chmod 600 "$work/master.key"
env -u AMA_POSTGRES "${ama[@]}" keystore create "$work/s.keys" --key-file "$work/master.key" 2>/dev/null
env -u AMA_POSTGRES "${ama[@]}" keystore put "$work/s.keys" data-key --generate 32 --key-file "$work/master.key" 2>/dev/null
age-keygen -o "$work/age.key" 2>/dev/null
recipient=$(age-keygen -y "$work/age.key")
store=(--key data-key --key-store "$work/s.keys" --key-file "$work/master.key")

# "wall cpu": the seconds "$@" takes, and the CPU seconds (user + system) it and its children use.
# On a shared machine the wall time includes waiting for a core; the CPU time does not.
elapsed() {
  local TIMEFORMAT='%R %U %S'
  { time "$@"; } 2>&1 | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A times cpu
measure() {
  local name=$1; shift
  local walls=() cpus=() sample
  for _ in $(seq "$runs"); do
    rm -f "$work/out"
    sample=$(elapsed "$@")
    walls+=("${sample% *}")
    cpus+=("${sample#* }")
  done
  times[$name]=$(median "${walls[@]}")
  cpu[$name]=$(median "${cpus[@]}")
  printf '%-12s wall %6s s (runs: %s)   cpu %6s s (runs: %s)\n' "$name" "${times[$name]}" "${walls[*]}" "${cpu[$name]}" "${cpus[*]}"
}

copy() { cat "$work/in" > "$work/out"; }
age_enc() { age -r "$recipient" -o "$work/out" "$work/in"; }
age_dec() { age -d -i "$work/age.key" -o "$work/out" "$work/age.ct"; }
ama_enc() { env -u AMA_POSTGRES "${ama[@]}" encrypt "${store[@]}" --output "$work/out" "$work/in" 2>/dev/null; }
ama_dec() { env -u AMA_POSTGRES "${ama[@]}" decrypt "${store[@]}" --output "$work/out" "$work/ama.ct" 2>/dev/null; }

age -r "$recipient" -o "$work/age.ct" "$work/in"
env -u AMA_POSTGRES "${ama[@]}" encrypt "${store[@]}" --output "$work/ama.ct" "$work/in" 2>/dev/null

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $mib MiB on $(df --output=fstype "$work" | tail -1) ($work); $(nproc) cores; $(age --version 2>/dev/null | head -1 | sed 's/^/age /'); $(date -u +%Y-%m-%dT%H:%MZ)"
measure cat copy
measure "age" age_enc
measure "age -d" age_dec
measure "ama encrypt" ama_enc
measure "ama decrypt" ama_dec

# The last decrypt must give the input back, or the figures mean nothing.
cmp -s "$work/in" "$work/out" || { echo "ama decrypt did not restore the input" >&2; exit 1; }

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mibs() { awk -v s="$1" -v m="$mib" 'BEGIN { printf "%.0f", m / s }'; }
echo
echo "throughput (MiB/s): cat $(mibs "${times[cat]}"), age $(mibs "${times[age]}"), age -d $(mibs "${times[age -d]}"), ama encrypt $(mibs "${times[ama encrypt]}"), ama decrypt $(mibs "${times[ama decrypt]}")"
echo "ama encrypt vs age:    $(ratio "${times[age]}" "${times[ama encrypt]}")x age's throughput (target >= 1.5)"
echo "ama encrypt vs cat:    $(ratio "${times[ama encrypt]}" "${times[cat]}")x cat's time (target <= 1.5)"
echo "ama decrypt vs age -d: $(ratio "${times[age -d]}" "${times[ama decrypt]}")x age -d's throughput (target >= 1.5)"
echo "by CPU time: ama encrypt $(ratio "${cpu[age]}" "${cpu[ama encrypt]}")x age, $(ratio "${cpu[ama encrypt]}" "${cpu[cat]}")x cat's CPU time; ama decrypt $(ratio "${cpu[age -d]}" "${cpu[ama decrypt]}")x age -d"
