"""Misuses of mavi_prep that mypy --strict must report, each on a line marked "# error"."""

import mavi_prep

checked = mavi_prep.check(42)  # error
checked = mavi_prep.check("a.mp4", require_audio="yes")  # error
mavi_prep.check("a.mp4", True)  # error
n: int = checked.verdict  # error
mavi_prep.check_many([1, 2], jobs=2)  # error
plan = mavi_prep.plan(checked, preset=3)  # error
mavi_prep.prepare(checked, "out.mp4", checked)  # error
mavi_prep.prepare(checked, "out.mp4", plan, progress=lambda sent, total: None)  # error
client = mavi_prep.Client("key")  # error
client = mavi_prep.Client(api_key="key", api="v3")  # error
vn: str = client.status("VI1").video_no  # error
mavi_prep.run_batch(["a.mp4"], on_event=lambda a, b: None)  # error
size: str = mavi_prep.prepare(checked, "o.mp4", plan).size_bytes  # error
e: mavi_prep.Error = mavi_prep.RejectedError("x")
k: int = e.kind  # error
