"""prepare(): outputs re-probed, the GIL released, Ctrl-C and callback errors cancel cleanly."""

import os
import signal
import subprocess
import sys
import threading

import pytest

import mavi_prep
from conftest import FIXTURES

FIXABLE = ["mpeg4_mp3.avi", "h264_mono_pcm.mov", "hevc_10bit.mkv", "h264_aac.ts", "mjpeg_pcm.mov"]


@pytest.mark.parametrize("name", FIXABLE)
def test_prepare_writes_a_file_that_checks_ok(name, tmp_path):
    checked = mavi_prep.check(str(FIXTURES / name), strict=True)
    assert checked.verdict == "fixable"
    out = tmp_path / "out.mp4"
    result = mavi_prep.prepare(checked, str(out), mavi_prep.plan(checked))
    assert result.verdict == "ok"
    assert out.stat().st_size == result.size_bytes
    again = mavi_prep.check(str(out))
    assert again.verdict == "ok"
    assert again.media["streams"][0]["codec"] in ("h264", "hevc", "vp9")


def test_plan_of_a_rejected_file_raises_rejected_error():
    with pytest.raises(mavi_prep.RejectedError):
        mavi_prep.plan(mavi_prep.check(str(FIXTURES / "text_renamed.mp4")))


def test_gil_is_released_during_prepare(long_clip, tmp_path):
    counted = 0
    stop = threading.Event()

    def count():
        nonlocal counted
        while not stop.is_set():
            counted += 1

    checked = mavi_prep.check(str(long_clip))
    counter = threading.Thread(target=count)
    counter.start()
    seen_at_progress = []
    try:
        mavi_prep.prepare(checked, str(tmp_path / "o.mp4"), mavi_prep.plan(checked),
                          progress=lambda done, total, speed: seen_at_progress.append(counted))
    finally:
        stop.set()
        counter.join()
    # The counter advanced between progress reports, i.e. while libmavi was encoding.
    assert len(seen_at_progress) >= 2
    assert seen_at_progress[-1] > seen_at_progress[0]


def test_exception_in_progress_comes_back_and_leaves_nothing(long_clip, tmp_path):
    class Stop(Exception):
        pass

    calls = []

    def progress(done, total, speed):
        calls.append(done)
        raise Stop("from the callback")

    checked = mavi_prep.check(str(long_clip))
    with pytest.raises(Stop):
        mavi_prep.prepare(checked, str(tmp_path / "o.mp4"), mavi_prep.plan(checked),
                          progress=progress)
    assert len(calls) == 1
    assert list(tmp_path.iterdir()) == []


def test_progress_returning_false_cancels(long_clip, tmp_path):
    checked = mavi_prep.check(str(long_clip))
    with pytest.raises(mavi_prep.CancelledError):
        mavi_prep.prepare(checked, str(tmp_path / "o.mp4"), mavi_prep.plan(checked),
                          progress=lambda *a: False)
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_cancels_prepare(long_clip, tmp_path):
    checked = mavi_prep.check(str(long_clip))
    started = threading.Event()
    timer = threading.Thread(
        target=lambda: started.wait(60) and os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            mavi_prep.prepare(checked, str(tmp_path / "o.mp4"), mavi_prep.plan(checked),
                              progress=lambda *a: started.set())
    finally:
        timer.join()
    assert list(tmp_path.iterdir()) == []


def test_ffmpeg_is_quiet_by_default_and_log_level_can_change(tmp_path):
    # libx264 prints its statistics at FFmpeg's default level ("info"): not from mavi_prep.
    script = ("import mavi_prep, sys\n"
              "assert mavi_prep.log_level() == 'quiet'\n"
              "mavi_prep.set_log_level(sys.argv[3])\n"
              "c = mavi_prep.check(sys.argv[1])\n"
              "mavi_prep.prepare(c, sys.argv[2], mavi_prep.plan(c))\n")
    src = str(FIXTURES / "mpeg4_mp3.avi")
    quiet = subprocess.run([sys.executable, "-c", script, src, str(tmp_path / "a.mp4"), "quiet"],
                           capture_output=True, text=True, check=True)
    assert "libx264" not in quiet.stderr
    loud = subprocess.run([sys.executable, "-c", script, src, str(tmp_path / "b.mp4"), "info"],
                          capture_output=True, text=True, check=True)
    assert "libx264" in loud.stderr
    with pytest.raises(mavi_prep.InvalidArgumentError):
        mavi_prep.set_log_level("loud")
