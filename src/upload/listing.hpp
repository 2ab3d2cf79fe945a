// Walking a generation's listing: the pages come from the ApiModule, the walk (how far, which
// record wins) is the same for every generation.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "upload/api_generation.hpp"

namespace mavi::detail {

// Walks the listing page by page until the pages run out (at most 500 pages of
// module.list_page_size(): a bound against a server that loops) and returns, of the records
// `match` accepts, the one with the latest upload time; nothing when none matches. Throws the
// exchange's or the answer's mavi::Error.
std::optional<VideoRecord> latest_listed(const ApiModule& module, const Endpoint& endpoint,
                                         const Exchange& exchange, const ListQuery& query,
                                         const std::function<bool(const VideoRecord&)>& match);

// True when `video` is what `identity` was sent as: its name, the name without its extension,
// or (both sizes known) the same size in bytes.
bool recognises(const UploadIdentity& identity, const VideoRecord& video);

// The most recent video within the query's window that `identity` recognises. The server is
// not asked to filter by name (it may have renamed the video): the listing is walked.
std::optional<VideoRecord> find_upload(const ApiModule& module, const Endpoint& endpoint,
                                       const Exchange& exchange, ListQuery query,
                                       const UploadIdentity& identity);

}  // namespace mavi::detail
