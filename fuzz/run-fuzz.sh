#!/bin/sh
# Runs fuzz targets (default: all) for SECONDS each (default 600), one after the other, at
# the lowest priority, on the binaries `cargo fuzz build --sanitizer none -O` made, copied
# to fuzz/bin/ so a rebuild cannot replace one while it runs. Logs go to
# fuzz/logs/<target>.log; new inputs to fuzz/corpus/<target>/; crashes to fuzz/artifacts/.
#
#   cargo fuzz build --sanitizer none -O && fuzz/run-fuzz.sh 600 police_csv areas
set -u
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
[ $# -gt 0 ] && shift
TARGETS=${*:-police_csv geojson_points areas harm_table run_file}
mkdir -p logs bin
for t in $TARGETS; do
    [ -x bin/$t ] || cp target/x86_64-unknown-linux-gnu/release/$t bin/$t
    mkdir -p corpus/$t artifacts/$t
    nice -n 19 bin/$t corpus/$t seeds/$t -max_total_time=$SECONDS_EACH -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix=artifacts/$t/ -print_final_stats=1 \
        > logs/$t.log 2>&1
    echo "$t exit $?" >> logs/summary.txt
done
