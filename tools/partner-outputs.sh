#!/bin/bash
# Partner (disclosure-controlled) runs of every grid verb on the sample data into OUT and
# OUT/SUMS (manifest start times blanked): two builds whose SUMS are equal publish the
# same protected values.   tools/partner-outputs.sh target/release/harmspot /tmp/p
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "$1"); OUT=$2; rm -rf $OUT; mkdir -p $OUT; cd $OUT
ln -s "$ROOT/data" data
D=data/police-uk/
h() { "$BIN" --quiet "$@" 2>>stderr.txt || echo "FAIL $*" >> stderr.txt; }
h hotspots $D --out hot/ --partner
h hotspots $D --out hot2/ --min-count 3 --round 5
h kde $D --out kde.geojson --partner
h count $D --out count.geojson --min-count 4 --by type
h gistar $D --out gi.geojson --partner
h generate --rows 40000 --months 24 --seed 1 --out g.csv
h change g.csv --before 2021-01..2021-12 --after 2022-01..2022-12 --out ch.geojson --partner --method diff
h change g.csv --before 2021-01..2021-12 --after 2022-01..2022-12 --out ch2.geojson --min-count 3 --method log-ratio --summary ch2.json
h evaluate g.csv --train 2021-01..2021-12 --test 2022-01..2022-12 --out ev.geojson --partner --report ev.json
h evaluate g.csv --train 2021-01..2021-12 --test 2022-01..2022-12 --out ev2.geojson --partner --hot 2 --report ev2.json
h evaluate g.csv --train 2021-01..2021-12 --test 2022-01..2022-12 --out ev3.geojson --partner --rank-by kde
h emerging g.csv --out em.geojson --partner --per-month
find . -type f ! -name stderr.txt ! -name SUMS ! -name '*.csv' | sort | while read f; do sed -E 's/"(started|created|start_time|started_utc)": *"[^"]*"//g' "$f" | sha256sum | sed "s#-#$f#"; done > SUMS
cat stderr.txt | head
