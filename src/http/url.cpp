#include "http/url.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "http/curl_handles.hpp"
#include "mavi/error.hpp"

namespace mavi::detail::http {

namespace {

std::string get_part(CURLU* url, CURLUPart part, unsigned flags) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK || raw == nullptr)
    return {};
  CurlString owned(raw);
  return std::string(owned.get());
}

}  // namespace

UrlParts parse_url(const std::string& text) {
  CurlUrl url(curl_url());
  if (!url)
    throw Error(Errc::internal, "curl_url: out of memory");
  // Only absolute URLs: no scheme guessing, so "example.com" is rejected rather than assumed.
  if (CURLUcode rc = curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK) {
    throw Error(Errc::invalid_argument, "invalid URL '" + text + "': " + curl_url_strerror(rc),
                static_cast<int>(rc));
  }
  UrlParts parts;
  parts.scheme = get_part(url.get(), CURLUPART_SCHEME, 0);
  std::transform(parts.scheme.begin(), parts.scheme.end(), parts.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  parts.host = get_part(url.get(), CURLUPART_HOST, 0);
  std::transform(parts.host.begin(), parts.host.end(), parts.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  parts.port = get_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  return parts;
}

bool is_loopback_host(std::string_view host_view) {
  std::string host(host_view);
  if (host == "localhost" || host == "localhost.")
    return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6))
      return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

std::string escape(std::string_view value) {
  // The handle argument is ignored by libcurl >= 7.82.
  CurlString escaped(curl_easy_escape(nullptr, value.data(), static_cast<int>(value.size())));
  if (!escaped)
    throw Error(Errc::internal, "curl_easy_escape: out of memory");
  return std::string(escaped.get());
}

std::string without_query(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

std::string url_filename(std::string_view url) {
  const std::string path = without_query(url);
  const std::size_t scheme_end = path.find("://");
  const std::size_t path_start =
      scheme_end == std::string::npos ? 0 : path.find('/', scheme_end + 3);
  if (path_start == std::string::npos)
    return "video";
  const std::string segment = path.substr(path.rfind('/') + 1);
  if (segment.empty() || path.rfind('/') < path_start)
    return "video";
  int length = 0;
  CurlString decoded(
      curl_easy_unescape(nullptr, segment.data(), static_cast<int>(segment.size()), &length));
  if (!decoded)
    throw Error(Errc::internal, "curl_easy_unescape: out of memory");
  std::string name(decoded.get(), static_cast<std::size_t>(length));
  // A decoded name is still one name: no folder separators or NULs.
  for (char& c : name) {
    if (c == '/' || c == '\\' || c == '\0')
      c = '_';
  }
  return name.empty() || name == "." || name == ".." ? "video" : name;
}

}  // namespace mavi::detail::http
