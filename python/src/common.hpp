// What every binding shares: running libmavi work off the GIL with Ctrl-C and callback
// exceptions turned into cancellation, and JSON documents handed to Python as dicts.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "cli/json.hpp"
#include "mavi/cancel.hpp"
#include "mavi/rules.hpp"

namespace mavi::python {

namespace py = pybind11;

// The first exception a Python callback raised, kept until the call returns to Python.
// Callbacks run on libmavi's threads; raising there would cross C++ frames that do not expect
// it, so the callback stores the error, requests cancellation and lets the work unwind.
class CallbackErrors {
 public:
  explicit CallbackErrors(CancelToken token) : token_(std::move(token)) {}
  void store(std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      if (!first_)
        first_ = std::move(error);
    }
    token_.request();
  }
  bool failed() const {
    std::lock_guard lock(mutex_);
    return first_ != nullptr;
  }
  void rethrow_if_any() {
    std::lock_guard lock(mutex_);
    if (first_)
      std::rethrow_exception(std::exchange(first_, nullptr));
  }

 private:
  CancelToken token_;
  mutable std::mutex mutex_;
  std::exception_ptr first_;
};

// Calls a Python callable with the GIL held. Returns false (cancel) when it raised (the error
// is kept in `errors`) or returned False; any other return value carries on.
template <class... Args>
bool call_back(const py::object& callable, CallbackErrors& errors, Args&&... args) {
  if (errors.failed())
    return false;
  py::gil_scoped_acquire gil;
  try {
    py::object answer = callable(std::forward<Args>(args)...);
    return !(py::isinstance<py::bool_>(answer) && !answer.cast<bool>());
  } catch (...) {
    errors.store(std::current_exception());
    return false;
  }
}

// Runs `work` on a thread of its own while the calling thread, the GIL released, watches for
// signals: Python's SIGINT handler only runs on the main thread when it calls
// PyErr_CheckSignals, so a pending KeyboardInterrupt requests `token` and is raised once the
// work has stopped (and cleaned up after itself). A stored callback exception comes first,
// then the work's own result or error. Call with the GIL held.
template <class Work>
auto run_cancellable(const CancelToken& token, CallbackErrors& errors, Work work)
    -> decltype(work()) {
  auto done = std::async(std::launch::async, std::move(work));
  std::optional<py::error_already_set> interrupt;
  for (;;) {
    bool finished = false;
    {
      py::gil_scoped_release nogil;
      finished = done.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready;
    }
    if (finished)
      break;
    if (!interrupt && PyErr_CheckSignals() != 0) {
      interrupt.emplace();
      token.request();
    }
  }
  if (interrupt) {
    try {
      done.get();
    } catch (...) {  // the cancellation the interrupt caused
    }
    throw std::move(*interrupt);
  }
  if (errors.failed()) {
    try {
      done.get();
    } catch (...) {
    }
    errors.rethrow_if_any();
  }
  return done.get();
}

// A JSON document as Python objects (dict, list, str, float, ...), through the json module so
// that it is exactly what the programs print.
py::object to_python(const cli::Json& j);

// Rules for an API generation with the check options every entry point takes.

Rules make_rules(const std::string& api, bool require_audio, bool strict,
                 std::optional<std::uintmax_t> max_size);

void bind_errors(py::module_& m);
void bind_check(py::module_& m);
void bind_prepare(py::module_& m);
void bind_upload(py::module_& m);
void bind_batch(py::module_& m);

}  // namespace mavi::python
