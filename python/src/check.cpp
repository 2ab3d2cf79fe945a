// check() and check_many(): CheckResult objects whose to_dict() is mavi-check --json's entry.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common.hpp"
#include "mavi/check.hpp"

namespace mavi::python {

namespace {

namespace fs = std::filesystem;

// As mavi-check does it: a file check() cannot handle is a rejected verdict, never an error.
CheckResult check_one(const fs::path& path, const ProbeOptions& probe, const Rules& rules) {
  try {
    return check(path, probe, rules);
  } catch (const Error& e) {
    if (e.kind() == Errc::cancelled)
      throw;
    CheckResult result;
    result.path = path;
    result.verdict = evaluate_failure(e);
    result.rules = rules;
    return result;
  }
}

ProbeOptions probe_options(bool deep, double deep_time_limit, bool keep_open,
                           const CancelToken& cancel) {
  ProbeOptions o;
  o.deep = deep;
  o.deep_time_limit =
      std::chrono::milliseconds(static_cast<std::int64_t>(deep_time_limit * 1000.0));
  o.keep_open = keep_open;
  o.cancel = cancel;
  return o;
}

std::vector<CheckResult> check_all(const std::vector<fs::path>& paths, unsigned jobs,
                                   const ProbeOptions& probe, const Rules& rules) {
  std::vector<CheckResult> results(paths.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < paths.size();) {
      if (probe.cancel.requested())
        return;
      try {
        results[i] = check_one(paths[i], probe, rules);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure)
          failure = std::current_exception();
        probe.cancel.request();
      }
    }
  };
  if (jobs == 0)
    jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, std::max<std::size_t>(1, paths.size())));
  std::vector<std::jthread> threads;
  for (unsigned j = 1; j < jobs; ++j)
    threads.emplace_back(worker);
  worker();
  threads.clear();
  if (failure)
    std::rethrow_exception(failure);
  if (probe.cancel.requested())
    throw Error(Errc::cancelled, "check_many: cancelled");
  return results;
}

}  // namespace

Rules make_rules(const std::string& api, bool require_audio, bool strict,
                 std::optional<std::uintmax_t> max_size) {
  Rules rules = rules_for(api);
  rules.require_audio = require_audio;
  rules.strict = strict;
  if (max_size)
    rules.max_size_bytes = *max_size;
  return rules;
}

void bind_check(py::module_& m) {
  py::class_<Finding>(m, "Finding", "One thing a check found: an error or a warning.")
      .def_readonly("code", &Finding::code, "Stable machine code, e.g. 'no_audio_track'.")
      .def_property_readonly(
          "severity", [](const Finding& f) { return std::string(to_string(f.severity)); },
          "'warning' or 'error'.")
      .def_readonly("message", &Finding::message, "For a person: what is wrong.")
      .def_property_readonly(
          "fix", [](const Finding& f) { return std::string(to_string(f.fix)); },
          "The action that fixes it: 'none', 'remux' or 'transcode'.")
      .def(
          "to_dict", [](const Finding& f) { return to_python(cli::Json(f)); },
          "The finding as mavi-check --json prints it.")
      .def("__repr__", [](const Finding& f) {
        return "Finding(" + std::string(to_string(f.severity)) + " " + f.code + ")";
      });

  py::class_<CheckResult>(m, "CheckResult",
                          "What check() found for one file: verdict, action, findings, media.")
      .def_readonly("path", &CheckResult::path, "The checked file (pathlib.Path).")
      .def_property_readonly(
          "verdict", [](const CheckResult& r) { return std::string(to_string(r.verdict.kind)); },
          "'ok', 'fixable' or 'rejected'.")
      .def_property_readonly(
          "action", [](const CheckResult& r) { return std::string(to_string(r.verdict.action)); },
          "The least action that makes the file acceptable: 'none', 'remux' or 'transcode'.")
      .def_property_readonly(
          "findings", [](const CheckResult& r) { return r.verdict.findings; },
          "Every Finding, errors and warnings, in mavi-check's order.")
      .def_property_readonly(
          "media",
          [](const CheckResult& r) -> py::object {
            return r.media ? to_python(cli::Json(*r.media)) : py::none();
          },
          "The probed media information as a dict (mavi-check --json's 'media'), or None.")
      .def_property_readonly(
          "elapsed_seconds", [](const CheckResult& r) { return r.elapsed.count(); },
          "Wall time the check took.")
      .def_property_readonly(
          "rule_set", [](const CheckResult& r) { return r.rules.rule_set; },
          "The rule set the file was checked against ('classic', 'v1', 'v2').")
      .def(
          "to_dict", [](const CheckResult& r) { return to_python(cli::Json(r)); },
          "The file's entry of mavi-check --json, field for field.")
      .def("__repr__", [](const CheckResult& r) {
        return "CheckResult(" + r.path.string() + ": " + std::string(to_string(r.verdict.kind)) +
               ", " + std::string(to_string(r.verdict.action)) + ")";
      });

  m.def(
      "check",
      [](const fs::path& path, bool require_audio, bool strict,
         std::optional<std::uintmax_t> max_size, const std::string& api, bool deep,
         double deep_time_limit, bool keep_open) {
        const Rules rules = make_rules(api, require_audio, strict, max_size);
        CancelToken token;
        CallbackErrors errors(token);
        const ProbeOptions probe = probe_options(deep, deep_time_limit, keep_open, token);
        return run_cancellable(token, errors, [&] { return check_one(path, probe, rules); });
      },
      "Probes one file and checks it against MAVI's rules for `api`. A file that cannot be\n"
      "read is a 'rejected' verdict, as in mavi-check, not an exception. Releases the GIL;\n"
      "Ctrl-C raises KeyboardInterrupt.",
      py::arg("path"), py::kw_only(), py::arg("require_audio") = false, py::arg("strict") = false,
      py::arg("max_size") = py::none(), py::arg("api") = "classic", py::arg("deep") = false,
      py::arg("deep_time_limit") = 60.0, py::arg("keep_open") = false);

  m.def(
      "check_many",
      [](const std::vector<fs::path>& paths, unsigned jobs, bool require_audio, bool strict,
         std::optional<std::uintmax_t> max_size, const std::string& api, bool deep,
         double deep_time_limit) {
        const Rules rules = make_rules(api, require_audio, strict, max_size);
        CancelToken token;
        CallbackErrors errors(token);
        const ProbeOptions probe = probe_options(deep, deep_time_limit, false, token);
        return run_cancellable(token, errors, [&] { return check_all(paths, jobs, probe, rules); });
      },
      "check() on every path, `jobs` at a time on C++ threads (0: one per core). Returns the\n"
      "results in the order of `paths`. Releases the GIL; Ctrl-C stops every worker.",
      py::arg("paths"), py::kw_only(), py::arg("jobs") = 0, py::arg("require_audio") = false,
      py::arg("strict") = false, py::arg("max_size") = py::none(), py::arg("api") = "classic",
      py::arg("deep") = false, py::arg("deep_time_limit") = 60.0);
}

}  // namespace mavi::python
