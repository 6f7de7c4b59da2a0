#!/bin/bash -eu
# ClusterFuzzLite build: the cargo-fuzz targets of fuzz/, with their seed corpora and the JSON
# dictionary. Runs in the base-builder-rust image ($SRC, $OUT and the sanitizer flags set by it;
# nightly, so the default AddressSanitizer build works without `-s none`).
cd "$SRC/opsworks-conformance"

# my_implementation_template is a template for downstream users (the reference implementation
# in place of theirs): not worth CI time here.
TARGETS="oracle server_differential world_file structured_case"

cargo fuzz build -O --debug-assertions

for target in $TARGETS; do
  cp "fuzz/target/x86_64-unknown-linux-gnu/release/$target" "$OUT/"
  # libFuzzer seed corpus and dictionary, found by name next to the binary.
  if [ -d "fuzz/corpus/$target" ]; then
    zip -q -j "$OUT/${target}_seed_corpus.zip" fuzz/corpus/"$target"/*
  fi
  cp fuzz/dict/json.dict "$OUT/$target.dict"
done
