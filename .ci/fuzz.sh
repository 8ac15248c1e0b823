#!/usr/bin/env bash
# Short fuzzing run for CI: builds the seed corpora from the shared MARC
# corpus, then runs every fuzz target of fuzz/ for FUZZ_SECONDS (default 40)
# with one worker. Exits non-zero when a target finds a crash, a hang (an
# input running over FUZZ_TIMEOUT seconds, default 10) or runs out of memory;
# the input is left in fuzz/artifacts/<target>/ (replay it with
# `cargo fuzz run <target> <file>`, minimize it with `cargo fuzz tmin`, and
# add it to tests/fuzz_regressions/<target>/).
#
# Environment: FUZZ_SECONDS, FUZZ_TIMEOUT, FUZZ_SANITIZER (default none: the
# crate has no unsafe code; `address` checks the dependencies too, at half
# the speed), MARC_CORPUS (default ../shared/corpus).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${FUZZ_SECONDS:-40}"
per_input="${FUZZ_TIMEOUT:-10}"
sanitizer="${FUZZ_SANITIZER:-none}"
# cargo-fuzz passes nightly-only flags; this lets a stable toolchain take them.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cd "$root/fuzz"
if ! ./seed.sh 4096; then
    echo "warning: no seed corpus (set MARC_CORPUS); fuzzing from the dictionary only" >&2
fi

cargo fuzz build -s "$sanitizer"
mapfile -t targets < <(cargo fuzz list)
failed=()
for t in "${targets[@]}"; do
    echo "=== fuzz $t for ${secs}s"
    mkdir -p "corpus/$t"
    # A target's own dictionary (<target>.dict) where it has one.
    dict=marc.dict
    [[ -f "$t.dict" ]] && dict="$t.dict"
    if ! cargo fuzz run -s "$sanitizer" "$t" -- \
        -max_total_time="$secs" -timeout="$per_input" -max_len=4101 \
        -dict="$dict" -print_final_stats=1; then
        failed+=("$t")
        echo "::error::fuzz target $t failed; input in fuzz/artifacts/$t/" >&2
    fi
done

if ((${#failed[@]})); then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${secs}s each, no finding"
