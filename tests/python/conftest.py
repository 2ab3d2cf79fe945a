"""Shared fixtures: paths from the environment CTest sets, a clip long enough to interrupt, and
a mavi-sandbox on 127.0.0.1."""

import os
import pathlib
import subprocess

import pytest

mavi_prep = pytest.importorskip("mavi_prep")

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = SOURCE_DIR / "fixtures"
BIN_DIR = pathlib.Path(os.environ.get("MAVI_BIN_DIR", SOURCE_DIR / "build" / "bin"))
KEY = "sk-python-test-5f2a9c"


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory):
    """An MPEG-4 Part 2 AVI (needs a transcode) that takes a few seconds to re-encode."""
    path = tmp_path_factory.mktemp("clips") / "long_mpeg4.avi"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc2=duration=30:size=1280x720:rate=30", "-f", "lavfi", "-i",
                    "sine=duration=30", "-c:v", "mpeg4", "-q:v", "5", "-c:a", "mp3",
                    str(path)], check=True)
    return path


@pytest.fixture
def sandbox(tmp_path):
    """A mavi-sandbox process; yields its base URL."""
    env = dict(os.environ, MAVI_SANDBOX_API_KEY=KEY)
    proc = subprocess.Popen([str(BIN_DIR / "mavi-sandbox"), "--port", "0", "--quiet",
                             "--store", str(tmp_path / "store")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on "), line
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def client(sandbox):
    return mavi_prep.Client(api_key=KEY, base_url=sandbox, uploads_per_minute=0, max_attempts=1)
