#!/usr/bin/env python3
"""Removes the PTS/DTS from video PES packets of an MPEG-2 program stream (.mpg/.vob).

Real DVD/VCD/SVCD authoring tools sometimes leave the trailing packets of a title without
timestamps, and a few write none at all. FFmpeg then hands out packets whose PTS is unset (with a
DTS it interpolates, or nothing), which is what the fixtures made with this reproduce
(fixtures/make_fixtures.sh: mpeg_ps_tail_no_pts.mpg, mpeg_ps_no_timestamps.mpg).
Usage: scripts/strip_mpeg_ps_timestamps.py IN.mpg OUT.mpg (--last=N | --all)

Only MPEG-2 PES headers (as FFmpeg's vob/dvd/svcd muxers write them) are edited: the
PTS_DTS_flags are cleared, the fields after the timestamps moved up and the header's end filled
with stuffing (0xFF), so every size and offset stays the same. A header carrying other optional
fields than the PES extension stops with an error rather than writing a wrong file.
"""
import sys


def pes_packets(data):
    """Yields (offset, stream_id, length) of every PES packet, walking pack by pack."""
    i = 0
    while i + 4 <= len(data):
        if data[i:i + 3] != b"\x00\x00\x01":
            raise SystemExit(f"no start code at {i}: not a program stream this script knows")
        code = data[i + 3]
        if code == 0xBA:  # pack header
            if data[i + 4] >> 6 != 1:
                raise SystemExit("MPEG-1 pack header: only MPEG-2 program streams are handled")
            i += 14 + (data[i + 13] & 7)
        elif code == 0xB9:  # program end
            i += 4
        else:
            length = int.from_bytes(data[i + 4:i + 6], "big")
            yield i, code, length
            i += 6 + length


def strip(data, offset):
    if data[offset + 6] >> 6 != 2:
        raise SystemExit(f"PES at {offset} has no MPEG-2 header")
    flags = data[offset + 7]
    if flags & 0x3E:  # only the PES extension (0x01) may follow the timestamps
        raise SystemExit(f"PES at {offset} carries optional fields this script does not know")
    n = {0x00: 0, 0x80: 5, 0xC0: 10}.get(flags & 0xC0)
    if n is None:
        raise SystemExit(f"PES at {offset}: invalid PTS_DTS_flags")
    if n == 0:
        return False
    # The fields after the timestamps (and the stuffing) move up; stuffing fills the end.
    end = offset + 9 + data[offset + 8]
    data[offset + 7] = flags & 0x3F
    data[offset + 9:end] = data[offset + 9 + n:end] + b"\xff" * n
    return True


def main(argv):
    if len(argv) != 4 or argv[3] not in ("--all",) and not argv[3].startswith("--last="):
        raise SystemExit(__doc__)
    data = bytearray(open(argv[1], "rb").read())
    video = [off for off, sid, _ in pes_packets(data) if 0xE0 <= sid <= 0xEF]
    timed = [off for off in video if data[off + 7] & 0xC0]
    chosen = timed if argv[3] == "--all" else timed[-int(argv[3].split("=", 1)[1]):]
    if not chosen:
        raise SystemExit("no video PES packet with timestamps")
    for off in chosen:
        strip(data, off)
    with open(argv[2], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv)
