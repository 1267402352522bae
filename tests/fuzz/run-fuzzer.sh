#!/bin/sh
# usage: run-fuzzer.sh FUZZER SEED_CORPUS_DIR WORK_DIR [libFuzzer options…]
# libFuzzer writes new inputs into its corpus directory, so it runs on a copy in the build
# directory; crashes land in WORK_DIR/artifacts/.
set -eu
fuzzer=$1; seeds=$2; work=$3; shift 3
rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"
# libFuzzer exits 77 on a crash by default, which meson reads as a skip: make it a failure.
exec "$fuzzer" -artifact_prefix="$work/artifacts/" -print_final_stats=1 -error_exitcode=1 \
  -timeout_exitcode=1 "$@" "$work/corpus"
