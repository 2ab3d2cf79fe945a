"""The .pyi stub cannot drift from the module, every public object has a docstring, and mypy
type-checks code against the stub (when Debian's python3-mypy is installed)."""

import __future__
import ast
import importlib.util
import inspect
import os
import pathlib
import re
import subprocess
import sys
import types

import pytest

import mavi_prep
from mavi_prep import _mavi_prep

PACKAGE_DIR = pathlib.Path(mavi_prep.__file__).resolve().parent
STUB = PACKAGE_DIR / "__init__.pyi"
TYPING_EXAMPLES = pathlib.Path(__file__).resolve().parent / "typed_examples"
MISSING = object()


def public(names):
    return {n for n in names if not n.startswith("_")}


def module_public_names():
    return {n for n in public(dir(mavi_prep))
            if not isinstance(getattr(mavi_prep, n), (types.ModuleType, __future__._Feature))}


@pytest.fixture(scope="module")
def stub():
    """Top-level name -> AST node of the stub (classes, functions, annotated names)."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))
    nodes = {}
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            nodes[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            nodes[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    nodes[target.id] = node
    return nodes


def stub_members(cls_node):
    names = {}
    for node in cls_node.body:
        if isinstance(node, ast.FunctionDef):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def runtime_members(cls):
    """Public names a class defines itself (not those it only overrides from a base)."""
    inherited = set()
    for base in cls.__mro__[1:]:
        inherited |= set(vars(base))
    return {n for n in public(vars(cls)) if n not in inherited}


def split_top_level(text):
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def pybind_signatures(func, name):
    """[(param name, 'pos' or 'kw', default or MISSING)] for each signature pybind11 wrote into
    the docstring (one per overload), without self."""
    found = []
    for line in (func.__doc__ or "").split("\n"):
        m = re.match(r"^(?:\d+\. )?" + re.escape(name) + r"\((.*)\) -> ", line)
        if not m:
            continue
        params, kind = [], "pos"
        for part in split_top_level(m.group(1)):
            if part == "*":
                kind = "kw"
                continue
            pname, _, rest = part.partition(":")
            if pname == "self":
                continue
            default = MISSING
            if " = " in rest:
                default = ast.literal_eval(rest.rsplit(" = ", 1)[1])
            params.append((pname.strip(), kind, default))
        found.append(params)
    return found


def stub_signature(node):
    args = node.args
    params = []
    positional = args.posonlyargs + args.args
    pos_defaults = [MISSING] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for a, d in zip(positional, pos_defaults):
        params.append((a.arg, "pos", d if d is MISSING else ast.literal_eval(d)))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        params.append((a.arg, "kw", MISSING if d is None else ast.literal_eval(d)))
    return [p for p in params if p[0] != "self"]


def runtime_signatures(obj, name):
    if isinstance(obj, types.FunctionType):  # pure Python: inspect knows
        sig = inspect.signature(obj)
        if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
            # A wrapper that forwards **options: the compiled function defines them.
            return pybind_signatures(getattr(_mavi_prep, name), name)
        return [[(p.name, "kw" if p.kind is p.KEYWORD_ONLY else "pos",
                  MISSING if p.default is p.empty else p.default)
                 for p in sig.parameters.values() if p.name != "self"]]
    return pybind_signatures(obj, name)


def test_every_public_name_is_in_the_stub_and_in_all(stub):
    names = module_public_names()
    assert names == public(stub), "module and stub differ: only in module %s, only in stub %s" % (
        sorted(names - public(stub)), sorted(public(stub) - names))
    assert set(mavi_prep.__all__) == names
    assert "__version__" in stub and isinstance(mavi_prep.__version__, str)


def test_error_hierarchy_matches_the_stub(stub):
    for name in module_public_names():
        obj = getattr(mavi_prep, name)
        if isinstance(obj, type) and issubclass(obj, mavi_prep.Error) and obj is not mavi_prep.Error:
            bases = [b.id for b in stub[name].bases]
            assert bases == [obj.__bases__[0].__name__], name


def test_every_class_member_is_in_the_stub(stub):
    for name in sorted(module_public_names()):
        obj = getattr(mavi_prep, name)
        if not isinstance(obj, type):
            continue
        members = stub_members(stub[name])
        assert runtime_members(obj) <= set(members), (
            name, sorted(runtime_members(obj) - set(members)))
        own_stub = {m for m in public(members) if m not in ("kind", "native_code")}
        assert own_stub <= public(dir(obj)), (name, sorted(own_stub - public(dir(obj))))


def test_every_signature_matches_the_stub(stub):
    checked = 0
    for name in sorted(module_public_names()):
        obj = getattr(mavi_prep, name)
        targets = []
        if callable(obj) and not isinstance(obj, type):
            targets.append((name, obj, stub[name]))
        elif isinstance(obj, type) and not issubclass(obj, BaseException):
            members = stub_members(stub[name])
            for member in sorted(public(vars(obj)) | {"__init__"}):
                value = vars(obj).get(member)
                # A slot wrapper __init__: pybind11's "No constructor defined".
                if isinstance(value, types.WrapperDescriptorType):
                    continue
                if callable(value) and not isinstance(value, property):
                    assert member in members, (name, member)
                    targets.append((member, value, members[member]))
        for fname, fobj, node in targets:
            runtime = runtime_signatures(fobj, fname)
            assert runtime, "no signature found for %s.%s" % (name, fname)
            for overload in runtime:
                assert overload == stub_signature(node), "%s.%s" % (name, fname)
            checked += 1
    assert checked >= 12


def test_every_public_object_has_a_docstring():
    def described(obj, name):
        doc = inspect.getdoc(obj) or ""
        # pybind11 starts a function's docstring with its signature(s): skip those lines.
        lines = [l for l in doc.split("\n") if l.strip() and not re.match(
            r"^(?:\d+\. )?" + re.escape(name) + r"\(.*\) -> |^Overloaded function\.$", l)]
        return bool(lines)

    undocumented = []
    for name in sorted(module_public_names()):
        obj = getattr(mavi_prep, name)
        if not described(obj, name):
            undocumented.append(name)
        if isinstance(obj, type):
            for member, value in vars(obj).items():
                if member.startswith("_") and member != "__init__" or isinstance(
                        value, types.WrapperDescriptorType):
                    continue
                if isinstance(value, property) or callable(value):
                    if member == "__init__" and issubclass(obj, BaseException):
                        continue
                    if not described(value, member):
                        undocumented.append(name + "." + member)
    assert undocumented == []


def run_mypy(tmp_path, example):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (Debian: python3-mypy)")
    env = dict(os.environ, MYPYPATH=str(PACKAGE_DIR.parent))
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--cache-dir", str(tmp_path / "mypy-cache"),
                           str(TYPING_EXAMPLES / example)],
                          capture_output=True, text=True, env=env, timeout=300)


def test_mypy_accepts_correct_code(tmp_path):
    out = run_mypy(tmp_path, "good.py")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_rejects_wrong_code_where_marked(tmp_path):
    out = run_mypy(tmp_path, "bad.py")
    assert out.returncode == 1, out.stdout + out.stderr
    lines = (TYPING_EXAMPLES / "bad.py").read_text().split("\n")
    marked = {i + 1 for i, l in enumerate(lines) if l.rstrip().endswith("# error")}
    reported = {int(m.group(1)) for m in re.finditer(r"bad\.py:(\d+): error", out.stdout)}
    assert marked and reported == marked, out.stdout
