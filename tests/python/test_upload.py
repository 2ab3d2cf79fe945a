"""Client against a real mavi-sandbox: upload, status, errors without the key, Ctrl-C, run_batch."""

import os
import signal
import threading

import pytest

import mavi_prep
from conftest import FIXTURES, KEY


def test_upload_and_status(client):
    seen = []
    result = client.upload(str(FIXTURES / "h264_aac.mp4"),
                           progress=lambda sent, total: seen.append((sent, total)))
    assert result.code == "0000"
    assert result.video_no
    assert result.to_dict()["videoNo"] == result.video_no
    assert seen and seen[-1][0] == seen[-1][1] > 0
    record = client.status(result.video_no)
    assert record is not None and record.video_no == result.video_no
    assert client.status("VI-does-not-exist") is None


def test_bad_key_is_bad_auth_error_without_the_key(sandbox):
    wrong = "sk-wrong-key-91c3d0"
    bad = mavi_prep.Client(api_key=wrong, base_url=sandbox, uploads_per_minute=0, max_attempts=1)
    with pytest.raises(mavi_prep.BadAuthError) as info:
        bad.upload(str(FIXTURES / "h264_aac.mp4"))
    assert info.value.kind == "bad_auth"
    assert not info.value.retryable
    assert wrong not in str(info.value) and KEY not in str(info.value)
    assert wrong not in repr(bad)


def test_unreachable_server_is_network_error(tmp_path):
    c = mavi_prep.Client(api_key=KEY, base_url="http://127.0.0.1:9", uploads_per_minute=0,
                         max_attempts=1)
    with pytest.raises(mavi_prep.NetworkError) as info:
        c.upload(str(FIXTURES / "h264_aac.mp4"))
    assert info.value.retryable
    assert KEY not in str(info.value)


def test_error_classes_one_per_kind():
    for name in ("RateLimitedError", "NetworkError", "TimeoutError", "NotFoundError",
                 "CancelledError", "BadAuthError", "NoCreditsError"):
        cls = getattr(mavi_prep, name)
        assert issubclass(cls, mavi_prep.Error)
    assert mavi_prep.RateLimitedError.kind == "rate_limited"


def test_keyboard_interrupt_cancels_upload(sandbox, long_clip):
    slow = mavi_prep.Client(api_key=KEY, base_url=sandbox, uploads_per_minute=0, max_attempts=1)
    started = threading.Event()
    timer = threading.Thread(
        target=lambda: started.wait(60) and os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # The callback keeps the upload going slowly enough for the signal to arrive.
            slow.upload(str(long_clip), progress=lambda s, t: (started.set(), __import__(
                "time").sleep(0.05)))
    finally:
        timer.join()


def test_run_batch_uploads_and_reports_events(client, tmp_path):
    events = []
    files = [str(FIXTURES / "h264_aac.mp4"), str(FIXTURES / "mpeg4_mp3.avi"),
             str(FIXTURES / "text_renamed.mp4")]
    result = mavi_prep.run_batch(files, client=client, journal=str(tmp_path / "j.sqlite"),
                                 work_dir=str(tmp_path / "work"), jobs=1,
                                 on_event=events.append)
    status = {f["path"]: f["status"] for f in result.files}
    assert status[files[0]] == "uploaded"
    assert status[files[1]] == "uploaded"
    assert status[files[2]] == "rejected"
    kinds = [e.kind for e in events]
    assert "uploaded" in kinds and "checked" in kinds
    assert all(isinstance(e, mavi_prep.BatchEvent) for e in events)
    assert result.files[0]["upload"]["videoNo"]


def test_callback_exception_in_run_batch_comes_back(client, tmp_path):
    def on_event(event):
        raise ValueError("observer")

    with pytest.raises(ValueError):
        mavi_prep.run_batch([str(FIXTURES / "h264_aac.mp4")], client=client,
                            work_dir=str(tmp_path / "w"), on_event=on_event)
