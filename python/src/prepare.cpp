// plan() and prepare(): a Plan object that remembers its preparation options, and prepare()
// running off the GIL, cancelled by Ctrl-C or by a progress callback that raises.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "common.hpp"
#include "mavi/plan.hpp"
#include "mavi/prepare.hpp"

namespace mavi::python {

namespace {

namespace fs = std::filesystem;

// The plan and the options it was made with: prepare() must encode with the same bit rates
// and height limit the plan was sized for.
struct PlanHolder {
  Plan plan;
  PrepareOptions options;
};

cli::Json result_json(const PrepareResult& r) {
  cli::Json streams = cli::Json::array();
  for (const auto& s : r.streams)
    streams.push_back({{"input_index", s.input_index},
                       {"action", to_string(s.action)},
                       {"input_codec", s.input_codec},
                       {"output_codec", s.output_codec},
                       {"reason", s.reason}});
  return {{"output", r.output.string()},
          {"size_bytes", r.size_bytes},
          {"elapsed_seconds", r.elapsed.count()},
          {"speed", r.speed},
          {"verdict", to_string(r.verdict.kind)},
          {"streams", streams},
          {"media", r.media}};
}

template <class Source>
PrepareResult prepare_from(const Source& source, const fs::path& output, const PlanHolder& plan,
                           const py::object& progress, bool replace_output, int threads) {
  PrepareOptions options = plan.options;
  options.cancel = CancelToken();  // this call's own: a plan may be prepared more than once
  options.replace_output = replace_output;
  options.threads = threads;
  CallbackErrors errors(options.cancel);
  PrepareProgress on_progress;
  if (!progress.is_none())
    on_progress = [&](double done_s, double total_s, double speed) {
      return call_back(progress, errors, done_s, total_s, speed);
    };
  return run_cancellable(options.cancel, errors,
                         [&] { return prepare(source, output, plan.plan, options, on_progress); });
}

}  // namespace

constexpr const char* kPrepareDoc =
    "Writes `dst`, a conforming MP4, from `src` (a CheckResult or a path) as `plan` says, then\n"
    "probes and checks it again. progress(done_s, total_s, speed) runs with the GIL held;\n"
    "returning False cancels (CancelledError), raising cancels and re-raises. Releases the GIL;\n"
    "Ctrl-C raises KeyboardInterrupt. A cancelled or failed call leaves `dst` as it was: never a "
    "partial file.";

void bind_prepare(py::module_& m) {
  py::class_<PlanHolder>(m, "Plan", "What preparing a checked file into a conforming MP4 takes.")
      .def_property_readonly(
          "action", [](const PlanHolder& p) { return std::string(to_string(p.plan.action)); },
          "'none' (a plain remux would do), 'remux' or 'transcode'.")
      .def_property_readonly(
          "warnings", [](const PlanHolder& p) { return p.plan.warnings; },
          "What the output will lose or change, for a person (list of str).")
      .def_property_readonly(
          "estimated_size_bytes", [](const PlanHolder& p) { return p.plan.estimated_size_bytes; },
          "A rough size of the output, for the size limit.")
      .def_property_readonly(
          "streams", [](const PlanHolder& p) { return to_python(cli::Json(p.plan))["streams"]; },
          "One dict per input stream: what happens to it (copy, transcode, drop) and why.")
      .def(
          "describe", [](const PlanHolder& p) { return describe(p.plan); },
          "Several lines for a person: overall action, streams, filter steps, warnings.")
      .def(
          "to_dict", [](const PlanHolder& p) { return to_python(cli::Json(p.plan)); },
          "The plan as mavi-prepare-and-upload's JSON reports it.")
      .def("__repr__", [](const PlanHolder& p) {
        return "Plan(" + std::string(to_string(p.plan.action)) + ")";
      });

  py::class_<PrepareResult>(m, "PrepareResult", "The prepared file, probed and checked again.")
      .def_readonly("output", &PrepareResult::output, "The file written (pathlib.Path).")
      .def_readonly("size_bytes", &PrepareResult::size_bytes, "Its size.")
      .def_readonly("speed", &PrepareResult::speed, "Media seconds per wall-clock second.")
      .def_property_readonly(
          "elapsed_seconds", [](const PrepareResult& r) { return r.elapsed.count(); },
          "Wall time of the preparation, verification included.")
      .def_property_readonly(
          "verdict", [](const PrepareResult& r) { return std::string(to_string(r.verdict.kind)); },
          "The output's own check verdict ('ok' unless the rules changed).")
      .def_property_readonly(
          "media", [](const PrepareResult& r) { return to_python(cli::Json(r.media)); },
          "The output, probed again, as a dict (mavi-check --json's 'media').")
      .def(
          "to_dict", [](const PrepareResult& r) { return to_python(result_json(r)); },
          "output, size_bytes, elapsed_seconds, speed, verdict, streams and media as a dict.")
      .def("__repr__", [](const PrepareResult& r) {
        return "PrepareResult(" + r.output.string() + ", " + std::to_string(r.size_bytes) +
               " bytes)";
      });

  m.def(
      "plan",
      [](const CheckResult& checked, std::optional<int> max_height, const std::string& preset,
         int crf, std::int64_t audio_bit_rate, std::int64_t min_video_bit_rate) {
        PlanHolder holder;
        holder.options.max_height = max_height;
        holder.options.preset = preset;
        holder.options.crf = crf;
        holder.options.audio_bit_rate = audio_bit_rate;
        holder.options.min_video_bit_rate = min_video_bit_rate;
        holder.plan = mavi::plan(checked, holder.options);
        return holder;
      },
      "What preparing a checked file takes (no I/O). Use mavi_prep.plan(), which raises\n"
      "RejectedError for a rejected verdict.",
      py::arg("check_result"), py::kw_only(), py::arg("max_height") = py::none(),
      py::arg("preset") = "veryfast", py::arg("crf") = 23, py::arg("audio_bit_rate") = 128'000,
      py::arg("min_video_bit_rate") = 250'000);

  m.def(
      "prepare",
      [](const CheckResult& source, const fs::path& output, const PlanHolder& plan,
         const py::object& progress, bool replace_output, int threads) {
        return prepare_from(source, output, plan, progress, replace_output, threads);
      },
      kPrepareDoc, py::arg("src"), py::arg("dst"), py::arg("plan"),
      py::arg("progress") = py::none(), py::kw_only(), py::arg("replace_output") = true,
      py::arg("threads") = 0);
  m.def(
      "prepare",
      [](const fs::path& source, const fs::path& output, const PlanHolder& plan,
         const py::object& progress, bool replace_output, int threads) {
        return prepare_from(source, output, plan, progress, replace_output, threads);
      },
      kPrepareDoc, py::arg("src"), py::arg("dst"), py::arg("plan"),
      py::arg("progress") = py::none(), py::kw_only(), py::arg("replace_output") = true,
      py::arg("threads") = 0);
}

}  // namespace mavi::python
