// Version of libmavi, as built.
#pragma once

#include <string_view>

namespace mavi {

// "MAJOR.MINOR.PATCH"
std::string_view version() noexcept;

}  // namespace mavi
