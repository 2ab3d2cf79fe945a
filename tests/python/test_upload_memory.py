"""Uploading 1 GiB from Python streams it: the process stays under 64 MiB of RSS."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import KEY

LIMIT_KIB = 64 * 1024
SIZE = 1 << 30

# Run in a process of its own, so that its peak (VmHWM) is the upload's, not the test session's.
CHILD = textwrap.dedent("""
    import sys
    import mavi_prep

    def peak_kib():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc/self/status")

    client = mavi_prep.Client(api_key=sys.argv[1], base_url=sys.argv[2], uploads_per_minute=0,
                              max_attempts=1)
    result = client.upload(sys.argv[3])
    assert result.code == "0000", result.code
    print(peak_kib(), result.bytes_sent)
""")


def test_uploading_1_gib_stays_under_64_mib_rss(sandbox, tmp_path):
    # The sandbox stores what it receives: 1 GiB on this disk.
    if shutil.disk_usage(tmp_path).free < 3 * SIZE:
        pytest.skip("less than 3 GiB free for the sandbox's copy of the upload")
    big = tmp_path / "big.mp4"
    with open(big, "wb") as out:
        out.truncate(SIZE)  # sparse: the bytes cost no disk here, only in the sandbox's store
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-c", CHILD, KEY, sandbox, str(big)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    peak, sent = (int(x) for x in done.stdout.split())
    assert sent >= SIZE
    assert peak < LIMIT_KIB, "peak RSS %d KiB while uploading 1 GiB" % peak
