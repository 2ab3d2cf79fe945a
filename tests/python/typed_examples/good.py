"""Typed use of mavi_prep that mypy --strict must accept (tests/python/test_stub.py)."""

import pathlib
from typing import Optional

import mavi_prep


def fixable(folder: pathlib.Path) -> list[mavi_prep.CheckResult]:
    results = mavi_prep.check_many(sorted(folder.glob("*.mp4")), jobs=2, require_audio=True)
    return [r for r in results if r.verdict == "fixable"]


def prepare_one(r: mavi_prep.CheckResult, out: pathlib.Path) -> int:
    def progress(done: float, total: float, speed: float) -> bool:
        return done <= total

    plan = mavi_prep.plan(r, max_height=1080, crf=23)
    print(plan.describe(), plan.action, plan.warnings, plan.estimated_size_bytes)
    result = mavi_prep.prepare(r, out, plan, progress, threads=2)
    path: pathlib.Path = result.output
    print(path, result.verdict, result.media["streams"], result.to_dict())
    return result.size_bytes


def upload(client: mavi_prep.Client, path: str) -> Optional[str]:
    try:
        result = client.upload(path, lambda sent, total: None, unique_id="x")
    except mavi_prep.RateLimitedError as e:
        print(e.kind, e.native_code, e.retryable)
        return None
    except mavi_prep.Error as e:
        print(type(e).__name__, e)
        return None
    record: Optional[mavi_prep.VideoRecord] = client.status(result.video_no)
    return record.video_status if record else result.video.video_status


def batch(client: mavi_prep.Client, paths: list[str]) -> int:
    def on_event(event: mavi_prep.BatchEvent) -> None:
        print(event.kind, event.path.name, event.status, event.to_dict())

    result = mavi_prep.run_batch(paths, client=client, journal="j.sqlite", on_event=on_event)
    failed: Optional[str] = result.fatal_error
    print(failed, result.stopped, result.not_started)
    return len(result.files)


client = mavi_prep.Client(api_key="k", base_url="http://127.0.0.1:1", api="v1",
                          uploads_per_minute=0, allow_insecure_http=True)
checked = mavi_prep.check("clip.mp4", strict=True, max_size=10**9)
for finding in checked.findings:
    print(finding.code, finding.severity, finding.fix, finding.message)
media = checked.media
if media is not None:
    print(media["format"])
print(mavi_prep.__version__, checked.elapsed_seconds + 1.0, checked.rule_set.upper())
