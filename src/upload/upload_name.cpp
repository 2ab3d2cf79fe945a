#include "mavi/upload.hpp"

namespace mavi {

std::string upload_name(const std::filesystem::path& file, bool prepared) {
  return prepared ? file.stem().string() + ".mp4" : file.filename().string();
}

}  // namespace mavi
