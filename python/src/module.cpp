// _mavi_prep: the compiled half of the mavi_prep package.
#include "common.hpp"
#include "mavi/upload.hpp"
#include "mavi/version.hpp"

PYBIND11_MODULE(_mavi_prep, m) {
  m.doc() = "libmavi bindings; use the mavi_prep package, not this module.";
  // libcurl's global state, once per process, while the import holds the GIL. Deliberately
  // never destroyed: interpreter shutdown order would otherwise decide whether a Client
  // outlives it.
  static auto* http_global = new mavi::HttpGlobal();
  (void)http_global;
  m.attr("__version__") = std::string(mavi::version());
  mavi::python::bind_errors(m);
  mavi::python::bind_check(m);
  mavi::python::bind_prepare(m);
  mavi::python::bind_upload(m);
  mavi::python::bind_batch(m);
}
