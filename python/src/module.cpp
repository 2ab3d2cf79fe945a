// _mavi_prep: the compiled half of the mavi_prep package.
#include <string>

#include "common.hpp"
#include "mavi/log.hpp"
#include "mavi/upload.hpp"
#include "mavi/version.hpp"

namespace {

constexpr const char* kLogLevels[] = {"quiet", "error", "warning", "info", "debug"};

}  // namespace

PYBIND11_MODULE(_mavi_prep, m) {
  m.doc() = "libmavi bindings; use the mavi_prep package, not this module.";
  // libcurl's global state, once per process, while the import holds the GIL. Deliberately
  // never destroyed: interpreter shutdown order would otherwise decide whether a Client
  // outlives it.
  static auto* http_global = new mavi::HttpGlobal();
  (void)http_global;
  m.attr("__version__") = std::string(mavi::version());
  // FFmpeg prints at "info" by default (libx264's statistics after every re-encode): a library
  // imported into someone else's program is silent, as mavi-check is by default: what
  // FFmpeg would say about a broken file is in the verdict.
  mavi::set_log_level(mavi::LogLevel::quiet);
  m.def(
      "set_log_level",
      [](const std::string& level) {
        for (int i = 0; i < 5; ++i)
          if (level == kLogLevels[i]) {
            mavi::set_log_level(static_cast<mavi::LogLevel>(i));
            return;
          }
        throw mavi::Error(
            mavi::Errc::invalid_argument,
            "set_log_level: level must be quiet, error, warning, info or debug, not '" + level +
                "'");
      },
      "How much FFmpeg and libmavi print on stderr: 'quiet' (the default since import), 'error',\n"
      "'warning', 'info' (FFmpeg's own default) or 'debug'. Process-wide: FFmpeg has one level.",
      pybind11::arg("level"));
  m.def(
      "log_level", [] { return std::string(kLogLevels[static_cast<int>(mavi::log_level())]); },
      "The current level (see set_log_level).");
  mavi::python::bind_errors(m);
  mavi::python::bind_check(m);
  mavi::python::bind_prepare(m);
  mavi::python::bind_upload(m);
  mavi::python::bind_batch(m);
}
