"""check() and check_many() agree with mavi-check --json, field for field."""

import json
import subprocess

import pytest

import mavi_prep
from conftest import BIN_DIR, FIXTURES

MEDIA = sorted(p for p in FIXTURES.iterdir() if p.suffix not in (".sh", ".md"))


def without_timing(entry):
    entry = dict(entry)
    entry.pop("elapsed_seconds", None)
    return entry


@pytest.fixture(scope="module")
def cli_entries():
    out = subprocess.run([str(BIN_DIR / "mavi-check"), "--json", "--quiet", *map(str, MEDIA)],
                         capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return {e["path"]: without_timing(e) for e in doc["files"]}


@pytest.mark.parametrize("path", MEDIA, ids=lambda p: p.name)
def test_check_matches_mavi_check_json(path, cli_entries):
    result = mavi_prep.check(str(path))
    assert without_timing(result.to_dict()) == cli_entries[str(path)]
    assert result.verdict in ("ok", "fixable", "rejected")
    assert result.verdict == cli_entries[str(path)]["verdict"]
    assert [f.code for f in result.findings] == [f["code"] for f in
                                                  cli_entries[str(path)]["findings"]]


def test_check_many_matches_check_in_order(cli_entries):
    results = mavi_prep.check_many([str(p) for p in MEDIA], jobs=2)
    assert [str(r.path) for r in results] == [str(p) for p in MEDIA]
    for r in results:
        assert without_timing(r.to_dict()) == cli_entries[str(r.path)]


def test_options_change_the_verdict():
    noaudio = str(FIXTURES / "h264_noaudio.mp4")
    assert mavi_prep.check(noaudio).verdict == "ok"
    assert mavi_prep.check(noaudio, require_audio=True).verdict == "rejected"
    assert mavi_prep.check(noaudio, max_size=1000).verdict != "ok"
    webm = str(FIXTURES / "vp9_opus.webm")
    assert mavi_prep.check(webm, api="v2").rule_set == "v2"


def test_unknown_api_is_an_invalid_argument_error():
    with pytest.raises(mavi_prep.InvalidArgumentError) as info:
        mavi_prep.check(str(FIXTURES / "h264_aac.mp4"), api="v9")
    assert info.value.kind == "invalid_argument"
    assert isinstance(info.value, mavi_prep.Error)
