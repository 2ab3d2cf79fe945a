#include "http/url.hpp"
#include "mavi/probe.hpp"
#include "mavi/upload.hpp"

namespace mavi {

std::string upload_name(const std::filesystem::path& file, bool prepared) {
  // A remote source is named by its URL's last path segment, without the query.
  const std::filesystem::path name =
      is_remote_source(file.string())
          ? std::filesystem::path(detail::http::url_filename(file.string()))
          : file.filename();
  return prepared ? name.stem().string() + ".mp4" : name.string();
}

}  // namespace mavi
