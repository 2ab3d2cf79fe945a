// The registry of API generations: the one place that maps an ApiGeneration to its module.
#include "upload/api_generation.hpp"

#include "mavi/error.hpp"

namespace mavi::detail {

long long epoch_ms(std::chrono::system_clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

const ApiModule* find_api_module(ApiGeneration api) noexcept {
  switch (api) {
    case ApiGeneration::classic:
      return &classic_api();
    case ApiGeneration::v1:
      return &v1_api();
  }
  return nullptr;  // a value cast from an integer no generation has
}

const ApiModule& api_module(ApiGeneration api) {
  if (const ApiModule* module = find_api_module(api))
    return *module;
  throw Error(Errc::invalid_argument,
              "unknown API generation " + std::to_string(static_cast<int>(api)));
}

}  // namespace mavi::detail
