#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to
# PublicAPI.Unshipped.txt of the given project, after a human has decided the API is intended.
set -euo pipefail
project=${1:-src/Ama.Cryptography}
file="$project/PublicAPI.Unshipped.txt"
dotnet build "$project" -p:TreatWarningsAsErrors=false 2>&1 \
  | grep -o "RS0016: Symbol '[^']*'" | sed "s/RS0016: Symbol '//; s/'\$//" \
  | sort -u >> "$file"
{ head -n1 "$file"; tail -n +2 "$file" | sort -u; } > "$file.tmp" && mv "$file.tmp" "$file"
dotnet build "$project" 2>&1 | grep -E "error|Build succeeded" | sort -u | head -20
