#!/usr/bin/env bash
# Builds the fuzz seed corpora under fuzz/corpus/<target>/ from the shared
# real-world corpus (../shared/corpus, or $MARC_CORPUS). Nothing built here is
# committed: fuzz/corpus is ignored by git.
#
# Usage: fuzz/seed.sh [MAX_SEED_BYTES]   (default 16384)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
corpus="${MARC_CORPUS:-$here/../../shared/corpus}"
max="${1:-16384}"
out="$here/corpus"

if [[ ! -f "$corpus/INDEX.tsv" ]]; then
    echo "seed.sh: no corpus at $corpus (set MARC_CORPUS)" >&2
    exit 1
fi

targets=(strict_slice lenient_slice stream_chunks owned_roundtrip)
[[ -f "$here/fuzz_targets/parallel_scan.rs" ]] && targets+=(parallel_scan)
for t in "${targets[@]}"; do mkdir -p "$out/$t"; done

# Stream seeds start with a control byte and chunk sizes (see
# checks::stream_chunks): lenient/strict, a few chunkings.
stream_prefixes=('\x03\x01\x07\x40\xf1' '\x80' '\x31\x00\x05\xff\x02' '\x02\x18\x19\x1a')

n=0
# Columns of INDEX.tsv: path, source, license, format, ...
while IFS=$'\t' read -r path _ _ format _; do
    [[ "$format" == "ISO2709" ]] || continue
    src="$corpus/$path"
    [[ -f "$src" ]] || continue
    name="${path//\//__}"
    head -c "$max" "$src" > "$out/strict_slice/$name"
    cp "$out/strict_slice/$name" "$out/lenient_slice/$name"
    if [[ -d "$out/parallel_scan" ]]; then
        # Control byte and shard-size byte (see checks::parallel_scan).
        { printf '\x4b\x05'; head -c "$max" "$src"; } > "$out/parallel_scan/0-$name"
        { printf '\xc8\x1f'; head -c "$max" "$src"; } > "$out/parallel_scan/1-$name"
    fi
    i=0
    for p in "${stream_prefixes[@]}"; do
        { printf "$p"; head -c "$max" "$src"; } > "$out/stream_chunks/$i-$name"
        i=$((i + 1))
    done
    # Arbitrary-driven target: raw bytes still make useful, varied records.
    head -c 4096 "$src" > "$out/owned_roundtrip/$name"
    n=$((n + 1))
done < <(tail -n +2 "$corpus/INDEX.tsv")

echo "seed.sh: $n corpus files -> $out/{$(IFS=,; echo "${targets[*]}")}"
