#!/usr/bin/env python3
"""Runs every command example of README.md and docs/*.md against a mavi-sandbox.

An example is a code block (fenced, or indented by four spaces) with a line that runs a mavi
program, or a fenced ```python block that imports mavi_prep: that one runs with this
interpreter and the build's package (BUILD_DIR/python on PYTHONPATH) and fails on any non-zero
exit; it is skipped when the build has no mavi_prep. Transcripts ("$ command" followed by its output) run their "$" lines only; synopses
("mavi-check [options] PATH...") are not commands. A block preceded by
"<!-- example not run: REASON -->" needs what a test machine does not have (a Slurm cluster,
a Kubernetes API): it is listed as skipped with its reason.

Each document's blocks run in order, as bash scripts, in one scratch folder that holds
fixtures/ (the repository's), incoming/ and videos/ (a few fixtures), clip.mp4, with the
programs on PATH, MAVI_BASE_URL pointing at a sandbox this script started (and
MAVI_UPLOADS_PER_MINUTE=0: no pacing needed), and a key in MAVI_API_KEY, MAVI_SANDBOX_API_KEY
and KEY. A command fails the example when it exits with 64
(usage: a wrong option, a missing value), 70 (internal) or 127 (a command that is not there),
or a block does not finish in time.

Usage: run_examples.py BUILD_DIR SOURCE_DIR
Environment: DOCS_ONLY=NAME,... runs only those documents (file names: README.md, python.md).
"""

import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PROGRAMS = ("mavi-check", "mavi-prepare-and-upload", "mavi-sandbox")
KEY = "docs-example-key"
# incoming/ has one file of each kind (ok, remux, transcode, rejected); videos/ two, so that the
# rate-limited examples (one shard of three at 3.3 uploads a minute) need no wait.
SAMPLES = {"incoming": ["h264_aac.mp4", "h264_aac.ts", "mpeg4_mp3.avi", "text_renamed.mp4"],
           "videos": ["h264_aac.mp4", "h264_aac.ts"]}
SKIP_MARK = re.compile(r"<!--\s*example not run:\s*(.*?)\s*-->")


def blocks(path):
    """(first line number, lines, skip reason or None, language) for every code block of a
    document: language "python" or "shell"."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found = []
    i = 0
    pending_skip = None
    while i < len(lines):
        line = lines[i]
        mark = SKIP_MARK.search(line)
        if mark:
            pending_skip = mark.group(1)
        if line.lstrip().startswith("```"):
            indent = len(line) - len(line.lstrip())  # a block inside a list item
            language = line.strip()[3:].strip()
            start = i + 1
            i += 1
            body = []
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                body.append(lines[i][indent:])
                i += 1
            if language in ("", "sh", "bash", "console", "shell"):
                found.append((start + 1, body, pending_skip, "shell"))
            elif language == "python" and re.search(r"^\s*(import|from) mavi_prep\b",
                                                     "\n".join(body), re.M):
                found.append((start + 1, body, pending_skip, "python"))
            pending_skip = None
        elif line.startswith("    ") and (i == 0 or lines[i - 1].strip() == ""):
            start = i
            body = []
            while i < len(lines) and (lines[i].startswith("    ") or lines[i].strip() == ""):
                body.append(lines[i][4:])
                i += 1
            found.append((start + 1, body, pending_skip, "shell"))
            pending_skip = None
            continue
        elif line.strip() and not mark:
            pending_skip = None
        i += 1
    return found


def runs_a_program(text):
    return any(re.search(r"(^|[\s/|;(])" + re.escape(p) + r"(\s|$)", text) for p in PROGRAMS)


def commands(body):
    """The shell text of a block: its "$" lines for a transcript, else every line."""
    transcript = any(l.startswith("$ ") for l in body)
    out = []
    continuing = False
    for line in body:
        if transcript:
            if line.startswith("$ "):
                out.append(line[2:])
                continuing = line.rstrip().endswith("\\")
            elif continuing:
                out.append(line)
                continuing = line.rstrip().endswith("\\")
            continue
        out.append(line)
    # Synopses are not commands.
    return [l for l in out if not re.search(r"\[options\]|PATH\.\.\.|\[--port", l)]


def prepare_script(lines, bin_dir):
    text = "\n".join(lines)
    text = text.replace("build/bin/", bin_dir + "/")
    text = re.sub(r"MAVI_API_KEY=(\.\.\.|your-key)", "MAVI_API_KEY=" + KEY, text)
    script = []
    for line in text.split("\n"):
        stripped = line.strip()
        # A server started in the foreground would never return: start it in the background.
        if stripped.startswith("mavi-sandbox") and not stripped.endswith("&"):
            line = line + " > sandbox-example.out 2>&1 & sleep 1"
        script.append(line)
    return "\n".join(script)


def start_sandbox(bin_dir, env):
    proc = subprocess.Popen([os.path.join(bin_dir, "mavi-sandbox"), "--port", "0", "--quiet",
                             "--callback-delay", "0.2"], stdout=subprocess.PIPE, env=env,
                            text=True)
    first = proc.stdout.readline().strip()
    if not first.startswith("listening on "):
        raise RuntimeError("the sandbox did not start: " + first)
    return proc, first[len("listening on "):]


def main():
    build_dir, source_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    bin_dir = os.path.join(build_dir, "bin")
    docs = [os.path.join(source_dir, "README.md")] + sorted(
        glob.glob(os.path.join(source_dir, "docs", "*.md")))
    only = [n for n in os.environ.get("DOCS_ONLY", "").split(",") if n]
    if only:
        docs = [d for d in docs if os.path.basename(d) in only]
    failures, ran, skipped = [], 0, []
    for doc in docs:
        scratch = tempfile.mkdtemp(prefix="mavi-docs-")
        env = dict(os.environ)
        env.update({"PATH": bin_dir + ":" + env.get("PATH", ""), "MAVI_API_KEY": KEY,
                    "MAVI_SANDBOX_API_KEY": KEY, "KEY": KEY,
                    "XDG_STATE_HOME": os.path.join(scratch, "state"), "NO_COLOR": "1",
                    # The sandbox is no MAVI: no need to wait for MAVI's upload rate.
                    "MAVI_UPLOADS_PER_MINUTE": "0"})
        os.symlink(os.path.join(source_dir, "fixtures"), os.path.join(scratch, "fixtures"))
        for folder, names in SAMPLES.items():
            os.makedirs(os.path.join(scratch, folder))
            for name in names:
                shutil.copy(os.path.join(source_dir, "fixtures", name),
                            os.path.join(scratch, folder, name))
        shutil.copy(os.path.join(source_dir, "fixtures", "h264_aac.mp4"),
                    os.path.join(scratch, "clip.mp4"))
        sandbox, url = start_sandbox(bin_dir, env)
        env["MAVI_BASE_URL"] = url
        env["MAVI_EXAMPLE_SANDBOX"] = url
        try:
            for line_no, body, skip, language in blocks(doc):
                if language == "shell" and not runs_a_program("\n".join(body)):
                    continue
                where = "%s:%d" % (os.path.relpath(doc, source_dir), line_no)
                if language == "python" and not skip and not os.path.isdir(
                        os.path.join(build_dir, "python", "mavi_prep")):
                    skip = "the build has no mavi_prep (MAVI_PYTHON=OFF or no pybind11)"
                if skip:
                    skipped.append("%s (%s)" % (where, skip))
                    continue
                if language == "python":
                    argv = [sys.executable, "-c", "\n".join(body)]
                    run_env = dict(env, PYTHONPATH=os.path.join(build_dir, "python"),
                                   PYTHONDONTWRITEBYTECODE="1")
                else:
                    lines = commands(body)
                    if not any(runs_a_program(l) for l in lines):
                        continue
                    script = ("trap 'st=$?; if [ $st -eq 64 ] || [ $st -eq 70 ] || [ $st -eq 127 ]; "
                              "then echo \"__EXAMPLE_FAILED $st: $BASH_COMMAND\" >&2; fi' ERR\n" +
                              prepare_script(lines, bin_dir) + "\nexit 0\n")
                    argv = ["bash", "-c", script]
                    run_env = env
                ran += 1
                started = time.monotonic()
                proc = subprocess.Popen(argv, cwd=scratch, env=run_env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
                try:
                    out, err = proc.communicate(timeout=180)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    out, err = proc.communicate()
                    failures.append("%s: did not finish within 180 s" % where)
                    continue
                finally:
                    try:  # servers the example started in the background
                        os.killpg(proc.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                bad = [l for l in err.split("\n") if l.startswith("__EXAMPLE_FAILED")]
                if language == "python" and proc.returncode != 0:
                    bad = ["__EXAMPLE_FAILED %d: python" % proc.returncode]
                if bad:
                    failures.append("%s: %s\n%s" % (where, "; ".join(bad), err[-2000:]))
                else:
                    print("ok       %s (%.1f s)" % (where, time.monotonic() - started))
        finally:
            sandbox.terminate()
            sandbox.wait()
            shutil.rmtree(scratch, ignore_errors=True)
    for s in skipped:
        print("skipped  %s" % s)
    for f in failures:
        print("FAILED   %s" % f)
    print("%d examples run, %d failed, %d skipped" % (ran, len(failures), len(skipped)))
    if ran == 0:
        print("no example found: the extraction is broken")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
