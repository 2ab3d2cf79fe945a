// The registry of API generations: the one place that maps an ApiGeneration to its module.
#include "upload/api_generation.hpp"

#include "mavi/error.hpp"
#include "upload/listing.hpp"

namespace mavi::detail {

long long epoch_ms(std::chrono::system_clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::span<const ApiModule* const> api_modules() noexcept {
  static const ApiModule* const modules[] = {&classic_api(), &v1_api(), &v2_api()};
  return modules;
}

const ApiModule* find_api_module(ApiGeneration api) noexcept {
  for (const ApiModule* module : api_modules()) {
    if (module->generation() == api)
      return module;
  }
  return nullptr;  // a value cast from an integer no generation has
}

std::optional<VideoRecord> ApiModule::find(const Endpoint& endpoint, const Exchange& exchange,
                                           const ListQuery& query,
                                           const UploadIdentity& identity) const {
  return find_upload(*this, endpoint, exchange, query, identity);
}

PreparedRequest ApiModule::signed_url_request(const Endpoint& /*endpoint*/,
                                              const std::string& /*filename*/) const {
  throw Error(Errc::invalid_argument,
              "the " + std::string(name()) + " API hands out no signed upload URLs");
}

SignedUpload ApiModule::read_signed_url_answer(long /*http_status*/, std::string_view /*body*/,
                                               const std::string& what,
                                               std::string_view /*secret*/) const {
  throw Error(Errc::invalid_argument,
              what + ": the " + std::string(name()) + " API hands out no signed upload URLs");
}

http::Request ApiModule::url_upload_request(const Endpoint& /*endpoint*/,
                                            const std::string& /*url*/,
                                            const UploadOptions& /*options*/,
                                            const std::string& /*unique_id*/) const {
  throw Error(Errc::invalid_argument, "the " + std::string(name()) + " API takes no upload by URL");
}

void check_delete_batch(const ApiModule& module, const std::vector<std::string>& video_nos) {
  if (video_nos.empty())
    throw Error(Errc::invalid_argument, "delete: no video named");
  if (video_nos.size() > module.max_delete_batch()) {
    throw Error(Errc::invalid_argument, "delete: " + std::to_string(video_nos.size()) +
                                            " videos in one request; the " +
                                            std::string(module.name()) + " API takes at most " +
                                            std::to_string(module.max_delete_batch()));
  }
}

const ApiModule& api_module(ApiGeneration api) {
  if (const ApiModule* module = find_api_module(api))
    return *module;
  throw Error(Errc::invalid_argument,
              "unknown API generation " + std::to_string(static_cast<int>(api)));
}

}  // namespace mavi::detail

namespace mavi {

std::vector<ApiGenerationInfo> api_generations() {
  std::vector<ApiGenerationInfo> all;
  for (const detail::ApiModule* module : detail::api_modules()) {
    all.push_back({module->generation(), std::string(module->name()), std::string(module->paths()),
                   std::string(module->formats()), module->accepted_containers(),
                   module->accepted_extensions()});
  }
  return all;
}

std::optional<ApiGeneration> api_generation_from_string(std::string_view name) noexcept {
  for (const detail::ApiModule* module : detail::api_modules()) {
    if (module->name() == name)
      return module->generation();
  }
  return std::nullopt;
}

}  // namespace mavi
