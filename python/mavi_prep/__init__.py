"""mavi_prep: check videos against MAVI's rules, prepare them into conforming MP4s and upload
them, with libmavi doing the work (see docs/python.md).

Long calls release the GIL; Ctrl-C cancels the call in progress (no partial file is left) and
raises KeyboardInterrupt; an exception raised in a callback cancels the work and is re-raised.
Failures are mavi_prep.Error subclasses, one per error kind.
"""

from __future__ import annotations


class Error(Exception):
    """A libmavi failure. `kind` names it ("not_found", "rate_limited", ...); `native_code` is
    the FFmpeg, curl or HTTP code when there is one. Messages never contain an API key."""

    kind: str = "internal"
    native_code: int = 0

    @property
    def retryable(self) -> bool:
        """Whether trying the same operation again may succeed."""
        return _mavi_prep.is_retryable(self.kind)


from . import _mavi_prep  # noqa: E402  (Error must exist before errors are translated)

__version__ = _mavi_prep.__version__


def _class_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_")) + "Error"


# One subclass per kind: IoError, NotFoundError, ..., RateLimitedError, CancelledError.
_ERROR_CLASSES: dict[str, type[Error]] = {}
for _kind in _mavi_prep.error_kinds():
    _cls = type(_class_name(_kind), (Error,), {"kind": _kind, "__module__": __name__,
                                               "__doc__": f"mavi_prep.Error of kind {_kind!r}."})
    _ERROR_CLASSES[_kind] = _cls
    globals()[_cls.__name__] = _cls
del _kind, _cls


class RejectedError(InvalidArgumentError):  # type: ignore[name-defined]  # noqa: F821
    """plan() on a file the rules reject: nothing can make MAVI take it."""


Finding = _mavi_prep.Finding
CheckResult = _mavi_prep.CheckResult
Plan = _mavi_prep.Plan
PrepareResult = _mavi_prep.PrepareResult
VideoRecord = _mavi_prep.VideoRecord
UploadResult = _mavi_prep.UploadResult
Client = _mavi_prep.Client
BatchEvent = _mavi_prep.BatchEvent
BatchResult = _mavi_prep.BatchResult
check = _mavi_prep.check
check_many = _mavi_prep.check_many
prepare = _mavi_prep.prepare
run_batch = _mavi_prep.run_batch
set_log_level = _mavi_prep.set_log_level
log_level = _mavi_prep.log_level


def plan(check_result: CheckResult, **options) -> Plan:
    """What preparing a checked file takes (no I/O). Options: max_height, preset, crf,
    audio_bit_rate, min_video_bit_rate. Raises RejectedError for a rejected verdict."""
    if check_result.verdict == "rejected":
        reasons = "; ".join(f.message for f in check_result.findings if f.severity == "error")
        raise RejectedError(f"plan: {check_result.path}: rejected: {reasons}")
    return _mavi_prep.plan(check_result, **options)


__all__ = ["Error", "RejectedError", "Finding", "CheckResult", "Plan", "PrepareResult",
           "VideoRecord", "UploadResult", "Client", "BatchEvent", "BatchResult", "check",
           "check_many", "plan", "prepare", "run_batch", "set_log_level", "log_level"]
__all__ += [c.__name__ for c in _ERROR_CLASSES.values()]
