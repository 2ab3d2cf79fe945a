#!/usr/bin/env python3
"""Rewrites a Matroska file the way some small muxers write it: clusters without their Timecode
element, optionally the audio frames laced several to a block, and optionally block times moved
(negative ones in the first clusters).

Without a cluster Timecode, FFmpeg takes every block's time as relative to 0: the timestamps
restart at each cluster (they jump back mid-file), and nothing states when the streams start.
fixtures/make_fixtures.sh makes mpeg4_aac_no_cluster_times.mkv with this; `ffmpeg -i IN
-c:v libx264 -c:a aac` keeps only part of it, and a preparation must keep every frame and the
whole audio.

A Block's time is 16-bit, relative to its cluster's; FFmpeg gives a block no timestamp at all when
that sum is negative. With --no-cluster-timecodes and --shift-block-times=-MS:CLUSTERS (MS larger
than a cluster lasts), the frames of the first CLUSTERS clusters have no timestamp and the later
ones restart at 0. When FFmpeg's probe of the file (it reads up to 50 frames of each stream
looking for a first timestamp) ends inside those clusters, no stream has a start time (ffprobe:
start_time=N/A), and the times FFmpeg makes up for the frames without one are followed by the
restarted ones, going back (fixtures/mpeg4_aac_no_start_times.mkv).
Usage: scripts/rewrite_mkv_like_small_muxer.py IN.mkv OUT.mkv [--no-cluster-timecodes]
       [--lace=FRAMES] [--shift-block-times=MS[:CLUSTERS]]

IN must be what FFmpeg's Matroska muxer writes to a pipe (a Segment of unknown size, no Cues):
the Clusters are rebuilt (with --lace, the audio SimpleBlocks of each run, up to FRAMES, joined
with Xiph lacing; the audio track's DefaultDuration dropped); SeekHead and Cues, whose offsets
would go stale, are dropped; --shift-block-times adds MS to the time of every block (of the
first CLUSTERS clusters only, when given). Anything else stops with an error.
"""
import sys

SEGMENT, CLUSTER, SEEKHEAD, CUES, TRACKS = 0x18538067, 0x1F43B675, 0x114D9B74, 0x1C53BB6B, 0x1654AE6B
TRACK_ENTRY, TRACK_NUMBER, TRACK_TYPE, DEFAULT_DURATION = 0xAE, 0xD7, 0x83, 0x23E383
SIMPLE_BLOCK, VOID, CLUSTER_TIMECODE = 0xA3, 0xEC, 0xE7
UNKNOWN = -1


def vint_length(data, i, longest, what):
    """Bytes of the EBML variable-length integer at i: its leading zero bits plus one."""
    n = 1
    while n <= longest and not data[i] & (0x80 >> (n - 1)):
        n += 1
    if n > longest:
        raise SystemExit(f"bad element {what} at {i}")
    return n


def read_id(data, i):
    n = vint_length(data, i, 4, "ID")
    return int.from_bytes(data[i:i + n], "big"), i + n


def read_size(data, i):
    first = data[i]
    n = vint_length(data, i, 8, "size")
    value = first & (0xFF >> n)
    for b in data[i + 1:i + n]:
        value = value << 8 | b
    if value == (1 << (7 * n)) - 1:
        value = UNKNOWN
    return value, i + n


def elements(data, start, end):
    """(id, payload start, payload end) of each element in data[start:end]."""
    i = start
    while i < end:
        eid, j = read_id(data, i)
        size, k = read_size(data, j)
        stop = end if size == UNKNOWN else k + size
        yield eid, k, stop
        i = stop


def encode_id(eid):
    return eid.to_bytes((eid.bit_length() + 7) // 8, "big")


def element(eid, payload):
    return encode_id(eid) + ((1 << 56) | len(payload)).to_bytes(8, "big") + payload


def audio_track(data, tracks_start, tracks_end):
    for eid, s, e in elements(data, tracks_start, tracks_end):
        if eid != TRACK_ENTRY:
            continue
        fields = {fid: int.from_bytes(data[fs:fe], "big")
                  for fid, fs, fe in elements(data, s, e) if fid in (TRACK_NUMBER, TRACK_TYPE)}
        if fields.get(TRACK_TYPE) == 2:
            return fields[TRACK_NUMBER]
    raise SystemExit("no audio track")


def rebuild_tracks(data, start, end, audio):
    out = b""
    for eid, s, e in elements(data, start, end):
        if eid != TRACK_ENTRY:
            out += raw(data, eid, s, e)
            continue
        number = next(int.from_bytes(data[fs:fe], "big")
                      for fid, fs, fe in elements(data, s, e) if fid == TRACK_NUMBER)
        entry = b"".join(raw(data, fid, fs, fe) for fid, fs, fe in elements(data, s, e)
                         if not (number == audio and fid == DEFAULT_DURATION))
        out += element(TRACK_ENTRY, entry)
    return element(TRACKS, out)


def raw(data, eid, s, e):
    return element(eid, bytes(data[s:e]))


def xiph_size(n):
    return b"\xff" * (n // 255) + bytes([n % 255])


def laced(blocks):
    """One SimpleBlock holding the frames of `blocks` (payloads of unlaced SimpleBlocks)."""
    head = blocks[0][:4]  # track number (1-byte vint), relative timecode, flags
    frames = [b[4:] for b in blocks]
    if len(frames) == 1:
        return element(SIMPLE_BLOCK, blocks[0])
    flags = head[3] | 0x02  # Xiph lacing
    sizes = b"".join(xiph_size(len(f)) for f in frames[:-1])
    payload = head[:3] + bytes([flags, len(frames) - 1]) + sizes + b"".join(frames)
    return element(SIMPLE_BLOCK, payload)


def shifted(block, ms):
    """A (Simple)Block payload with ms added to its relative time (16-bit signed)."""
    if not ms:
        return block
    t = int.from_bytes(block[1:3], "big", signed=True) + ms
    if not -32768 <= t <= 32767:
        raise SystemExit(f"block time {t} does not fit in 16 bits")
    return block[:1] + t.to_bytes(2, "big", signed=True) + block[3:]


def rebuild_cluster(data, start, end, audio, per_block, keep_timecode, shift):
    out, run = b"", []

    def flush():
        nonlocal out, run
        if run:
            out += laced(run)
            run = []

    for eid, s, e in elements(data, start, end):
        if eid == SIMPLE_BLOCK and data[s] == (0x80 | audio):
            if data[s + 3] & 0x06:
                raise SystemExit("the input is laced already")
            run.append(shifted(bytes(data[s:e]), shift))
            if len(run) == per_block:
                flush()
            continue
        flush()
        if eid == CLUSTER_TIMECODE and not keep_timecode:
            continue
        if eid == SIMPLE_BLOCK:
            out += element(eid, shifted(bytes(data[s:e]), shift))
            continue
        out += raw(data, eid, s, e)
    flush()
    return element(CLUSTER, out)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    per_block, keep_timecode, shift, shifted_clusters = 1, True, 0, None
    for arg in argv[3:]:
        if arg == "--no-cluster-timecodes":
            keep_timecode = False
        elif arg.startswith("--shift-block-times="):
            ms, _, clusters = arg.split("=", 1)[1].partition(":")
            shift, shifted_clusters = int(ms), int(clusters) if clusters else None
        elif arg.startswith("--lace="):
            per_block = int(arg.split("=", 1)[1])
        else:
            raise SystemExit(__doc__)
    data = open(argv[1], "rb").read()
    out = b""
    for eid, s, e in elements(data, 0, len(data)):
        if eid != SEGMENT:
            out += raw(data, eid, s, e)
            continue
        children = list(elements(data, s, e))
        tracks = [(cs, ce) for cid, cs, ce in children if cid == TRACKS]
        if not tracks:
            raise SystemExit("no Tracks")
        audio = audio_track(data, *tracks[0])
        if audio > 126:
            raise SystemExit("audio track number too large for this script")
        body, clusters = b"", 0
        for cid, cs, ce in children:
            if cid in (SEEKHEAD, CUES, VOID):
                continue
            if cid == TRACKS:
                body += rebuild_tracks(data, cs, ce, audio)
            elif cid == CLUSTER:
                moved = shifted_clusters is None or clusters < shifted_clusters
                body += rebuild_cluster(data, cs, ce, audio, per_block, keep_timecode,
                                        shift if moved else 0)
                clusters += 1
            else:
                body += raw(data, cid, cs, ce)
        out += encode_id(SEGMENT) + b"\x01\xff\xff\xff\xff\xff\xff\xff" + body
    with open(argv[2], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main(sys.argv)
