// URL helpers on top of libcurl's URL API (private to libmavi).
#pragma once

#include <string>
#include <string_view>

namespace mavi::detail::http {

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // IPv6 literals keep their brackets, as curl returns them
  std::string port;    // explicit or the scheme's default
};

// Throws mavi::Error(Errc::invalid_argument) for an unparsable URL.
UrlParts parse_url(const std::string& url);

// localhost, 127.0.0.0/8, ::1 (and ::ffff:127.x.x.x).
bool is_loopback_host(std::string_view host);

// Percent-encodes a query parameter value (curl_easy_escape).
std::string escape(std::string_view value);

// The URL without its query and fragment: what messages may show of a source's URL (a query
// may carry a token).
std::string without_query(std::string_view url);

// The last segment of the URL's path, percent-decoded ("clip.mp4" for
// http://host/a/clip.mp4?t=1); "video" when the path has none.
std::string url_filename(std::string_view url);

}  // namespace mavi::detail::http
