#include "mavi/version.hpp"

namespace mavi {

std::string_view version() noexcept {
  return MAVI_VERSION;
}

}  // namespace mavi
