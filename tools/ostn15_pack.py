#!/usr/bin/env python3
"""Packs the Ordnance Survey's OSTN15 data file into src/crs/ostn15.bin.

Usage: python3 tools/ostn15_pack.py OSTN15_OSGM15_DataFile.txt[.xz] src/crs/ostn15.bin

The OS file (BSD licence, data/OSTN15-LICENCE.txt) lists 701 x 1251 nodes of a 1 km grid in
ETRS89 transverse Mercator coordinates, with the easting and northing shifts to OSGB36 in
millimetres and a geoid datum flag. The packed file holds, node by node in the OS's record
order (record = east_index + north_index * 701 + 1):

    bytes 0..8            b"OSTN15\\x01\\x00"
    then N little-endian i16: easting shift in mm minus 96 000
    then N little-endian i16: northing shift in mm plus 64 000
    then N u8: the OS datum flag (16 = outside Great Britain's model: Ireland and beyond)

with N = 876 951. src/crs/ostn15.rs reads it through include_bytes!.
"""
import lzma
import struct
import sys

COLS, ROWS = 701, 1251
E_BASE, N_BASE = 96000, -64000


def main(src, dst):
    opener = lzma.open if src.endswith(".xz") else open
    n = COLS * ROWS
    es, ns, flags = [0] * n, [0] * n, [0] * n
    seen = 0
    with opener(src, "rt", encoding="utf-8-sig") as f:
        next(f)
        for line in f:
            rec, e, nn, se, sn, _sg, flag = line.strip().split(",")
            i = int(rec) - 1
            assert int(e) == (i % COLS) * 1000 and int(nn) == (i // COLS) * 1000, line
            es[i] = round(float(se) * 1000) - E_BASE
            ns[i] = round(float(sn) * 1000) - N_BASE
            flags[i] = int(flag)
            seen += 1
    assert seen == n, seen
    with open(dst, "wb") as out:
        out.write(b"OSTN15\x01\x00")
        out.write(struct.pack(f"<{n}h", *es))
        out.write(struct.pack(f"<{n}h", *ns))
        out.write(bytes(flags))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
