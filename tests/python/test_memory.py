"""check() in a loop does not leak: RSS after 200 more calls stays within a bound of what it was
after a warm-up (FFmpeg's and the allocator's one-time allocations are made by then)."""

import gc

import mavi_prep
from conftest import FIXTURES

CALLS = 200
# Measured: 0 KiB of growth over 200 calls. An open demuxer kept alive per call (what
# keep_open=True results held in a list do) costs about 250 KiB a call, 49 MiB over 200: a leak
# of one is far over this bound.
BOUND_KIB = 4096


def rss_kib():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def test_check_in_a_loop_keeps_rss_bounded():
    path = str(FIXTURES / "h264_aac.mp4")
    for _ in range(50):  # warm-up
        mavi_prep.check(path).to_dict()
    gc.collect()
    before = rss_kib()
    for _ in range(CALLS):
        result = mavi_prep.check(path)
        assert result.verdict == "ok"
        result.to_dict()
        del result
    gc.collect()
    growth = rss_kib() - before
    assert growth < BOUND_KIB, "RSS grew by %d KiB over %d calls" % (growth, CALLS)


def test_check_many_in_a_loop_keeps_rss_bounded():
    media = sorted(str(p) for p in FIXTURES.iterdir() if p.suffix not in (".sh", ".md"))
    for _ in range(3):  # warm-up, every fixture's demuxer and decoder
        mavi_prep.check_many(media, jobs=2)
    gc.collect()
    before = rss_kib()
    for _ in range(CALLS // len(media) + 1):
        assert len(mavi_prep.check_many(media, jobs=2)) == len(media)
    gc.collect()
    growth = rss_kib() - before
    assert growth < BOUND_KIB, "RSS grew by %d KiB" % growth
