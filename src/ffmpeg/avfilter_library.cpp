#include "ffmpeg/avfilter_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

extern "C" {
#include <libavfilter/version_major.h>
}

#include "mavi/error.hpp"

namespace mavi::detail::ffmpeg {
namespace {

// The soname of the major version the headers describe: its ABI is the one compiled against.
std::string soname() {
  return "libavfilter.so." + std::to_string(LIBAVFILTER_VERSION_MAJOR);
}

template <typename Function>
void resolve(void* library, const char* symbol, Function& slot) {
  void* address = dlsym(library, symbol);
  if (address == nullptr) {
    throw Error(Errc::unsupported, soname() + " has no " + symbol);
  }
  slot = reinterpret_cast<Function>(address);
}

AvFilterLibrary resolve_all(void* library) {
  AvFilterLibrary api;
  resolve(library, "avfilter_get_by_name", api.get_by_name);
  resolve(library, "avfilter_graph_alloc", api.graph_alloc);
  resolve(library, "avfilter_graph_free", api.graph_free);
  resolve(library, "avfilter_graph_create_filter", api.graph_create_filter);
  resolve(library, "avfilter_graph_parse_ptr", api.graph_parse_ptr);
  resolve(library, "avfilter_graph_config", api.graph_config);
  resolve(library, "avfilter_inout_alloc", api.inout_alloc);
  resolve(library, "avfilter_inout_free", api.inout_free);
  resolve(library, "av_buffersrc_add_frame_flags", api.buffersrc_add_frame_flags);
  resolve(library, "av_buffersink_get_frame", api.buffersink_get_frame);
  resolve(library, "av_buffersink_get_w", api.buffersink_get_w);
  resolve(library, "av_buffersink_get_h", api.buffersink_get_h);
  resolve(library, "av_buffersink_get_format", api.buffersink_get_format);
  resolve(library, "av_buffersink_get_sample_aspect_ratio", api.buffersink_get_sample_aspect_ratio);
  resolve(library, "av_buffersink_get_time_base", api.buffersink_get_time_base);
  return api;
}

AvFilterLibrary load() {
  const std::string name = soname();
  void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    throw Error(Errc::unsupported, "cannot load " + name + " (needed to re-encode video): " +
                                       (why != nullptr ? why : "unknown reason"));
  }
  try {
    return resolve_all(library);  // kept open from here on: filter graphs may live until exit
  } catch (...) {
    dlclose(library);
    throw;
  }
}

}  // namespace

const AvFilterLibrary& avfilter() {
  // A failed load is retried on the next call (call_once does not complete on an exception).
  static std::once_flag once;
  static AvFilterLibrary api;
  std::call_once(once, [] { api = load(); });
  return api;
}

}  // namespace mavi::detail::ffmpeg
