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
for t in marc8_decode xml_read json_read mrk_read; do
    [[ -f "$here/fuzz_targets/$t.rs" ]] && targets+=("$t")
done
for t in "${targets[@]}"; do mkdir -p "$out/$t"; done

# Stream seeds start with a control byte and chunk sizes (see
# checks::stream_chunks): lenient/strict, a few chunkings.
stream_prefixes=('\x03\x01\x07\x40\xf1' '\x80' '\x31\x00\x05\xff\x02' '\x02\x18\x19\x1a')

# The marc8_decode control byte (see checks::marc8_decode): bit 0 NFC,
# bit 1 references left undecoded, bits 2-3 how the ISO 2709 records of the
# same bytes are transcoded (0 Auto, 1 MARC-8, 2 UTF-8, 3 not at all).
has() { [[ -d "$out/$1" ]]; }
n=0
m=0
# Columns of INDEX.tsv: path, source, license, format, encoding (blank:
# MARC-8), ...
while IFS=$'\t' read -r path _ _ format encoding _; do
    src="$corpus/$path"
    [[ -f "$src" ]] || continue
    name="${path//\//__}"
    case "$format" in
    MARCXML)
        # _aux/ holds the code tables, not records.
        [[ "$path" == _aux/* ]] && continue
        has xml_read && head -c "$max" "$src" > "$out/xml_read/$name"
        m=$((m + 1))
        continue
        ;;
    JSON* | MARC-in-JSON*)
        has json_read && head -c "$max" "$src" > "$out/json_read/$name"
        m=$((m + 1))
        continue
        ;;
    MARCMaker*)
        has mrk_read && head -c "$max" "$src" > "$out/mrk_read/$name"
        m=$((m + 1))
        continue
        ;;
    "MARC-8 text fragment"*)
        # Lines of MARC-8 text, eight at a time, decoded without records.
        if has marc8_decode; then
            split -l 8 -d -a 4 "$src" "$out/marc8_decode/.part-"
            for part in "$out/marc8_decode"/.part-*; do
                { printf '\x0d'; head -c "$max" "$part"; } > "$out/marc8_decode/$name-${part##*-}"
                rm -f "$part"
            done
        fi
        m=$((m + 1))
        continue
        ;;
    ISO2709) ;;
    *) continue ;;
    esac
    if has marc8_decode && [[ "$encoding" == MARC-8* ]]; then
        { printf '\x01'; head -c "$max" "$src"; } > "$out/marc8_decode/0-$name"
        { printf '\x06'; head -c "$max" "$src"; } > "$out/marc8_decode/1-$name"
    fi
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

echo "seed.sh: $n ISO 2709 and $m text-format corpus files -> $out/{$(IFS=,; echo "${targets[*]}")}"
