// mavi::Error -> mavi_prep.Error subclasses. The classes are plain Python (mavi_prep/__init__.py
// builds one per kind from error_kinds()); this translator only picks the class by kind.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "common.hpp"
#include "mavi/error.hpp"

namespace mavi::python {

namespace {

void raise_as_python(const Error& e) {
  py::object classes = py::module_::import("mavi_prep").attr("_ERROR_CLASSES");
  const std::string kind(to_string(e.kind()));
  py::object cls = classes.attr("get")(kind, py::module_::import("mavi_prep").attr("Error"));
  py::object error = cls(e.what());
  error.attr("native_code") = e.native_code();
  PyErr_SetObject(cls.ptr(), error.ptr());
}

}  // namespace

void bind_errors(py::module_& m) {
  m.def(
      "error_kinds",
      [] {
        std::vector<std::string> kinds;
        for (int i = 0; i <= static_cast<int>(Errc::internal); ++i)
          kinds.emplace_back(to_string(static_cast<Errc>(i)));
        return kinds;
      },
      "Every error kind's name, in libmavi's order.");
  m.def(
      "is_retryable",
      [](const std::string& kind) {
        for (int i = 0; i <= static_cast<int>(Errc::internal); ++i)
          if (to_string(static_cast<Errc>(i)) == kind)
            return mavi::is_retryable(static_cast<Errc>(i));
        return false;
      },
      "Whether trying again may succeed for an error of this kind.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const Error& e) {
      raise_as_python(e);
    }
  });
}

py::object to_python(const cli::Json& j) {
  return py::module_::import("json").attr("loads")(cli::dump_line(j));
}

}  // namespace mavi::python
