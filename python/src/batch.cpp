// run_batch(): the whole pipeline (check, prepare, upload, journal) with events as Python
// objects. The observer runs on libmavi's worker threads; it takes the GIL for each event.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "cli/batch_json.hpp"
#include "common.hpp"
#include "mavi/batch.hpp"
#include "mavi/journal.hpp"

namespace mavi::python {

namespace {

namespace fs = std::filesystem;

// A copy of what an event says: BatchEvent only refers to a snapshot valid during the call.
struct Event {
  std::string kind;
  fs::path path;
  std::string status;
  cli::Json json;
};

struct Batch {
  std::vector<cli::Json> files;
  std::size_t not_started = 0;
  std::size_t outside_shard = 0;
  bool stopped = false;
  std::optional<std::string> fatal_error;
  std::optional<std::string> fatal_error_kind;
  bool wait_timed_out = false;
};

}  // namespace

void bind_batch(py::module_& m) {
  py::class_<Event>(m, "BatchEvent", "Something that just happened to one file of a batch.")
      .def_readonly("kind", &Event::kind,
                    "checked, preparing, prepared, uploading, uploaded, skipped, failed, "
                    "parsed, finished, outside_shard.")
      .def_readonly("path", &Event::path, "The file (pathlib.Path).")
      .def_readonly("status", &Event::status, "The file's status so far (FileStatus).")
      .def(
          "to_dict", [](const Event& e) { return to_python(e.json); },
          "The event as mavi-prepare-and-upload --json-lines prints it.")
      .def("__repr__",
           [](const Event& e) { return "BatchEvent(" + e.kind + ", " + e.path.string() + ")"; });

  py::class_<Batch>(m, "BatchResult", "What a batch did with every file.")
      .def_property_readonly(
          "files",
          [](const Batch& b) {
            py::list files;
            for (const auto& f : b.files)
              files.append(to_python(f));
            return files;
          },
          "One dict per file, as the report of mavi-prepare-and-upload --json.")
      .def_readonly("not_started", &Batch::not_started, "Files never started (the batch stopped).")
      .def_readonly("outside_shard", &Batch::outside_shard, "Files left to other shards.")
      .def_readonly("stopped", &Batch::stopped,
                    "The batch stopped before the end (cancelled, fatal error).")
      .def_readonly("fatal_error", &Batch::fatal_error, "What stopped the whole batch, or None.")
      .def_readonly("fatal_error_kind", &Batch::fatal_error_kind, "Its error kind, or None.")
      .def_readonly("wait_timed_out", &Batch::wait_timed_out,
                    "wait=True gave up before every upload was parsed.");

  m.def(
      "run_batch",
      [](const std::vector<fs::path>& paths, const Client* client, bool upload,
         std::optional<fs::path> output_dir, std::optional<fs::path> work_dir,
         std::optional<fs::path> journal_path, bool dry_run, unsigned jobs,
         unsigned upload_concurrency, bool keep_prepared, bool copy_ok, bool force, bool wait,
         double wait_timeout, const std::string& api, bool require_audio, bool strict,
         std::optional<std::uintmax_t> max_size, std::optional<int> max_height,
         const py::object& on_event) {
        BatchOptions options;
        options.rules = make_rules(api, require_audio, strict, max_size);
        options.prepare.max_height = max_height;
        options.jobs = jobs;
        options.upload_concurrency = upload_concurrency;
        options.upload = upload;
        options.dry_run = dry_run;
        options.copy_ok = copy_ok;
        if (output_dir)
          options.output_dir = *output_dir;
        if (work_dir)
          options.work_dir = *work_dir;
        options.keep_prepared = keep_prepared;
        options.force = force;
        options.wait = wait;
        options.wait_timeout = std::chrono::seconds(static_cast<std::int64_t>(wait_timeout));
        if (upload && !dry_run && client == nullptr)
          throw Error(Errc::invalid_argument,
                      "run_batch: uploading needs client= (or upload=False)");
        CallbackErrors errors(options.cancel);
        if (!on_event.is_none())
          options.observer = [&](const BatchEvent& e) {
            Event copy{std::string(to_string(e.kind)), e.file.path,
                       std::string(to_string(e.file.status)), cli::event_json(e)};
            copy.kind = copy.json.value("event", copy.kind);
            call_back(on_event, errors, std::move(copy));
          };
        return run_cancellable(options.cancel, errors, [&] {
          std::unique_ptr<Journal> journal;
          if (journal_path)
            journal = std::make_unique<Journal>(*journal_path);
          BatchResult r = mavi::run_batch(paths, options, client, journal.get());
          Batch b;
          for (const auto& f : r.files)
            b.files.push_back(cli::outcome_json(f));
          b.not_started = r.not_started;
          b.outside_shard = r.outside_shard;
          b.stopped = r.stopped;
          if (r.fatal_error) {
            b.fatal_error = r.fatal_error->what();
            b.fatal_error_kind = std::string(to_string(r.fatal_error->kind()));
          }
          b.wait_timed_out = r.wait_timed_out;
          return b;
        });
      },
      "The whole pipeline over the files `paths`: check, prepare what is fixable, upload\n"
      "with `client` (upload=False: prepare only); with a journal a re-run resumes.\n"
      "on_event(BatchEvent) runs with the GIL held; raising cancels the batch and re-raises.\n"
      "Releases the GIL; Ctrl-C raises KeyboardInterrupt.",
      py::arg("paths"), py::kw_only(), py::arg("client") = nullptr, py::arg("upload") = true,
      py::arg("output_dir") = py::none(), py::arg("work_dir") = py::none(),
      py::arg("journal") = py::none(), py::arg("dry_run") = false, py::arg("jobs") = 0,
      py::arg("upload_concurrency") = 1, py::arg("keep_prepared") = false,
      py::arg("copy_ok") = false, py::arg("force") = false, py::arg("wait") = false,
      py::arg("wait_timeout") = 1800.0, py::arg("api") = "classic",
      py::arg("require_audio") = false, py::arg("strict") = false, py::arg("max_size") = py::none(),
      py::arg("max_height") = py::none(), py::arg("on_event") = py::none());
}

}  // namespace mavi::python
