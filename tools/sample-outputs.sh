#!/bin/sh
# Runs every verb on the sample data (the README's runs and their main flags) into OUT and
# writes OUT/SHA256SUMS: one line per output file. the start time in manifests is the one
# field that differs between runs, so it is blanked before hashing.
#
# Two builds give byte-identical outputs when their SHA256SUMS are equal:
#   tools/sample-outputs.sh target/release/harmspot /tmp/before   # on the old commit
#   tools/sample-outputs.sh target/release/harmspot /tmp/after    # on the new one
#   diff /tmp/before/SHA256SUMS /tmp/after/SHA256SUMS && echo identical
set -eu
BIN=$(realpath "$1")
OUT=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
# inputs by a relative path, so that manifests are the same whichever checkout runs this
ln -s "$ROOT/data" data
D=data/police-uk/
H=data/hubs-example.geojson
h() { "$BIN" --quiet "$@"; }

h hotspots "$D" --out hot/
h hotspots "$D" --out hot-hex/ --shape hex --cell-size 200
h hotspots "$D" --out hot-n/ --weights none --value n --confidence 99
h hotspots "$D" --out hot-top/ --top 1%
h map hot/ --out hot/map.html --out hot/map.png
h info "$D" --json > info.json
h info "$D" > info.txt
h generate --rows 40000 --months 24 --seed 1 --out synth-street.csv --truth truth.json
h count "$D" --out count.geojson --out count.csv --out count.tif --out count.asc
h count synth-street.csv --by month --out count-month.csv
h kde "$D" --out kde.tif --out kde.geojson
h kde "$D" --kernel gaussian --bandwidth 300 --out kde-g.csv
h gistar "$D" --fdr --out gistar.geojson --out gistar.csv
h gistar "$D" --value n --permutations 99 --seed 3 --out gistar-perm.csv
h compare synth-street.csv --areas "$H" --radius 600 --buffer 400 --start 2022-01 --out cmp/
h map cmp/ --out cmp/map.html
h change synth-street.csv --before 2021-01..2021-12 --after 2022-01..2022-12 --out change.csv --out change.geojson
h evaluate synth-street.csv --train 2021-01..2021-12 --test 2022-01..2022-12 --top 5 \
    --report evaluate.json --curve curve.csv --out evaluate.geojson
h emerging synth-street.csv --out emerging.geojson --out emerging.csv
h knox synth-street.csv --permutations 99 --seed 2 --out knox.json

# blank manifest.json's start time, then hash every file
find . -name "*manifest.json" | while read -r f; do
    sed -i 's/"started_utc": *"[^"]*"/"started_utc": ""/' "$f"
done
find . -type f ! -name SHA256SUMS | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
echo "$(wc -l < SHA256SUMS) files hashed into $OUT/SHA256SUMS"
