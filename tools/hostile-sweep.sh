#!/usr/bin/env bash
# A sweep of hostile inputs over every verb (issue 23): each run must end with exit 0 or 2
# within the time limit and the memory cap. Counts panics (exit 101), crashes (killed by a
# signal), hangs (timeout) and anything else; prints the offending commands.
#   tools/hostile-sweep.sh [path/to/harmspot]   (default target/release/harmspot)
set -u
H=$(realpath "${1:-target/release/harmspot}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
HDR="Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
ROW=",2021-03,P,P,-1.61,54.97,On or near X,E01,N 001A,Burglary,,"
ROW2=",2021-04,P,P,-1.62,54.98,On or near ,E01,N 001A,Burglary,,"
P='{"type":"Feature","properties":{"Month":"2021-03","Crime type":"Burglary","name":"H"},"geometry":{"type":"Point","coordinates":[-1.61,54.97]}}'
: > empty-street.csv
printf '%s\r%s\r%s\r' "$HDR" "$ROW" "$ROW2" > cr-street.csv
printf '%s\n%s\n' "$HDR" "$ROW" | tr 'X' '\0' > nul-street.csv
printf '%s\n' "$HDR" > header-street.csv
printf '%s\n%s\n%s\n' "$HDR" "$ROW" "${ROW/54.97/1e308}" > huge-street.csv
printf '%s\n"%s\n' "$HDR" "$ROW" > quote-street.csv
{ echo "$HDR"; for i in $(seq 1 300); do echo "$ROW"; echo "$ROW2"; done; } > ok-street.csv
printf '{"type":"FeatureCollection","features":[%s]}{"type":"FeatureCollection","features":[%s]}' "$P" "$P" > two.geojson
echo "$P" > one.geojson
echo null > null.geojson
: > empty.geojson
printf '{"type":"FeatureCollection","features":[' > cut.geojson
printf '{"type":"FeatureCollection","features":[]}' > none.geojson
printf '{"type":"Point","coordinates":[1,2]}' > bare.geojson
python3 -c "print('{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"x\":' + '['*100000 + ']'*100000 + '},\"geometry\":null}]}')" > deep.geojson
printf 'crime_type,weight,source,version\n*,1e308,x,1\n' > harm-huge.csv
printf 'crime_type,weight,source,version\n' > harm-empty.csv
mkdir -p loop/2021-03 && cp ok-street.csv loop/2021-03/2021-03-x-street.csv && ln -s .. loop/2021-03/up
mkdir -p dangling && ln -s /nonexistent dangling/2021-05
cp ok-street.csv "$(printf 'caf\xe9-street.csv')"
INPUTS=(empty-street.csv cr-street.csv nul-street.csv header-street.csv huge-street.csv quote-street.csv
        ok-street.csv two.geojson one.geojson null.geojson empty.geojson cut.geojson none.geojson
        bare.geojson deep.geojson loop dangling "$(printf 'caf\xe9-street.csv')" /dev/null)
AREAS=(two.geojson one.geojson null.geojson empty.geojson none.geojson bare.geojson deep.geojson cut.geojson)
total=0; bad=0
run() {
  total=$((total + 1))
  rm -rf out out.* ./*.out.csv 2>/dev/null
  ( ulimit -v 4000000; timeout 30 "$H" "$@" -q ) > /dev/null 2> err.txt
  local rc=$?
  case $rc in
    0|2) ;;
    124) bad=$((bad + 1)); echo "HANG    harmspot $*";;
    101) bad=$((bad + 1)); echo "PANIC   harmspot $* :: $(head -c 300 err.txt)";;
    *)   bad=$((bad + 1)); echo "EXIT $rc harmspot $* :: $(head -c 300 err.txt)";;
  esac
}
for f in "${INPUTS[@]}"; do
  run info "$f"; run info "$f" --json
  run count "$f" --cell-size 200 --out out.csv
  run count "$f" --cell-size 100 --extent -2,54,-1,55 --out out.csv
  run kde "$f" --out out.geojson
  run kde "$f" --bandwidth-adjust 1e300 --out out.tif
  run kde "$f" --cell-size 1 --out out.geojson
  run gistar "$f" --out out.csv
  run gistar "$f" --harm harm-huge.csv --out out.csv
  run gistar "$f" --harm harm-empty.csv --out out.csv
  run hotspots "$f" --out out
  run change "$f" --before 2021-03..2021-03 --after 2021-04..2021-04 --out out.csv
  run evaluate "$f" --train 2021-03..2021-03 --test 2021-04..2021-04 --out out.csv
  run emerging "$f" --out out.csv
  run knox "$f" --out out.csv
  run knox "$f" --distance-bands 1e9 --out out.csv
  for a in "${AREAS[@]}"; do
    run compare "$f" --areas "$a" --radius 300 --start 2021-04 --out out
    run compare "$f" --areas ok-street.csv --radius 300 --start 2021-04 --out out
    run compare "$f" --areas one.geojson --radius 300 --buffer 300 --buffer-control "$a" --start 2021-04 --out out
    run compare "$f" --areas one.geojson --radius 300 --start 2021-04 --months 1000000000 --out out
    run monitor "$f" --areas "$a" --radius 300 --out out
    run monitor "$f" --areas one.geojson --radius 300 --activities "$a" --out out
    run monitor "$f" --areas one.geojson --radius 300 --area-counts "$a" --code-field code --out out
  done
  run monitor "$f" --areas one.geojson --radius 300 --by month --baseline 2021-03..2021-03 --out out
  run convert "$f" --out out.parquet
  run info out.parquet
done
mkdir -p res && "$H" hotspots ok-street.csv --out res -q 2>/dev/null
for g in "${AREAS[@]}"; do cp "$g" res/extra.geojson; run map res --out out.html; run map res --out out.png; done
run map /dev/null --out out.html
for r in null.geojson empty.geojson harm-huge.csv res/run.toml res/manifest.json; do run run "$r"; done
run generate --rows 1000 --clusters 4000000000 --out g-street.csv
run generate --rows 1000 --months 100000 --out g-street.csv
echo "hostile runs: $total, panics/hangs/crashes/other: $bad"
[ "$bad" -eq 0 ]
