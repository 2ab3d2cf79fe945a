"""Builds the mavi_prep extension with the project's CMake for `pip install .`.

The extension links libmavi statically (BUILD_SHARED_LIBS=OFF), so the wheel holds only
mavi_prep/ (the Python files, the stub, py.typed and _mavi_prep*.so) and depends on nothing of
ours at run time; FFmpeg, libcurl and SQLite come from the system as for the programs.

Environment:
  MAVI_PREP_CMAKE_BUILD_DIR  an existing, configured build tree of this project (with
                             MAVI_PYTHON=ON): only its _mavi_prep target is built and copied.
                             Quicker, but that extension links the tree's shared libmavi by
                             its build-tree RPATH: the tree must stay where it is.
  MAVI_PREP_CMAKE_WORK_DIR   where the fresh CMake build goes (default: under build-pip/).
                             A fixed folder lets ccache (used when on PATH) hit across builds.
  CMAKE_BUILD_PARALLEL_LEVEL jobs for the build (default: the number of cores).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    return re.search(r"project\(mavi VERSION ([0-9.]+)", text).group(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        reuse = os.environ.get("MAVI_PREP_CMAKE_BUILD_DIR")
        if reuse:
            build_dir = pathlib.Path(reuse).resolve()
        else:
            build_dir = pathlib.Path(os.environ.get("MAVI_PREP_CMAKE_WORK_DIR") or
                                     pathlib.Path(self.build_temp) / "cmake").resolve()
            configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir),
                         "-DCMAKE_BUILD_TYPE=Release", "-DMAVI_PYTHON=ON",
                         "-DMAVI_BUILD_TESTS=OFF", "-DBUILD_SHARED_LIBS=OFF",
                         "-DCMAKE_POSITION_INDEPENDENT_CODE=ON",
                         # Nothing of ours is a shared library here: no RPATH (CMake would
                         # write one of empty entries, which the loader reads as ".").
                         "-DCMAKE_SKIP_RPATH=ON",
                         # The interpreter pip runs is the one the extension is for.
                         "-DPython3_EXECUTABLE=" + sys.executable]
            if shutil.which("ccache") and "CMAKE_CXX_COMPILER_LAUNCHER" not in os.environ:
                configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
            subprocess.run(configure, check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_mavi_prep", "-j", jobs],
                       check=True)
        built = sorted((build_dir / "python" / "mavi_prep").glob("_mavi_prep*.so"))
        if not built:
            raise RuntimeError("the CMake build made no _mavi_prep*.so in " + str(build_dir))
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], target)


# egg_info wants its folder to exist.
(ROOT / "build-pip").mkdir(exist_ok=True)

setup(
    version=project_version(),
    ext_modules=[CMakeExtension("mavi_prep._mavi_prep")],
    cmdclass={"build_ext": CMakeBuild},
    # Not build/: that is where the project's own CMake build usually is.
    options={"build": {"build_base": "build-pip"}, "egg_info": {"egg_base": "build-pip"}},
)
