#include "upload/listing.hpp"

#include <cstdlib>

namespace mavi::detail {

std::optional<VideoRecord> latest_listed(const ApiModule& module, const Endpoint& endpoint,
                                         const Exchange& exchange, const ListQuery& query,
                                         const std::function<bool(const VideoRecord&)>& match) {
  constexpr int kMaxPages = 500;  // 100,000 videos at 200 a page
  const auto page_size = static_cast<std::size_t>(module.list_page_size());
  std::optional<VideoRecord> best;
  long long seen = 0;
  for (int page = 1; page <= kMaxPages; ++page) {
    const PreparedRequest request = module.list_request(endpoint, query, page);
    const http::Response r = exchange(request.request, request.what);
    ListedPage result =
        module.read_list_answer(r.http_status, r.body, request.what, endpoint.secret, query);
    for (auto& video : result.videos) {
      if (!match(video))
        continue;
      // The latest upload time wins; on a tie, the record listed later.
      if (!best || std::atoll(video.upload_time.c_str()) >= std::atoll(best->upload_time.c_str())) {
        best = std::move(video);
      }
    }
    seen += static_cast<long long>(result.listed);
    if (result.listed == 0 || (result.total >= 0 && seen >= result.total) ||
        result.listed < page_size) {
      break;
    }
  }
  return best;
}

bool recognises(const UploadIdentity& identity, const VideoRecord& video) {
  if (!identity.name.empty() && !video.video_name.empty()) {
    if (video.video_name == identity.name)
      return true;
    const auto dot = identity.name.find_last_of('.');
    if (dot != std::string::npos && dot > 0 && video.video_name == identity.name.substr(0, dot))
      return true;
  }
  if (identity.size_bytes && !video.size.empty()) {
    char* end = nullptr;
    const unsigned long long listed = std::strtoull(video.size.c_str(), &end, 10);
    if (end != video.size.c_str() && *end == '\0' && listed == *identity.size_bytes)
      return true;
  }
  return false;
}

std::optional<VideoRecord> find_upload(const ApiModule& module, const Endpoint& endpoint,
                                       const Exchange& exchange, ListQuery query,
                                       const UploadIdentity& identity) {
  query.video_name.clear();
  return latest_listed(module, endpoint, exchange, query,
                       [&](const VideoRecord& v) { return recognises(identity, v); });
}

}  // namespace mavi::detail
