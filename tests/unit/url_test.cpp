// URL helpers (src/http/url.hpp): what the client decides from a base URL (plain HTTP only to a
// loopback host) and how it encodes query values. No I/O.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "http/url.hpp"
#include "mavi/error.hpp"
#include "support/expect_error.hpp"

using mavi::Errc;
using mavi::detail::http::escape;
using mavi::detail::http::is_loopback_host;
using mavi::detail::http::parse_url;

TEST_CASE("parse_url: scheme, host and port, with the scheme's default port", "[url]") {
  auto parts = parse_url("http://127.0.0.1:8080/api/serve?x=1");
  CHECK(parts.scheme == "http");
  CHECK(parts.host == "127.0.0.1");
  CHECK(parts.port == "8080");

  parts = parse_url("https://mavi-backend.openinterx.com");
  CHECK(parts.scheme == "https");
  CHECK(parts.host == "mavi-backend.openinterx.com");
  CHECK(parts.port == "443");

  parts = parse_url("http://localhost/");
  CHECK(parts.port == "80");
}

TEST_CASE("parse_url: scheme and host come back in lower case", "[url]") {
  const auto parts = parse_url("HTTPS://Api.Memories.AI:8443/Serve");
  CHECK(parts.scheme == "https");
  CHECK(parts.host == "api.memories.ai");
  CHECK(parts.port == "8443");
}

TEST_CASE("parse_url: an IPv6 literal keeps its brackets", "[url]") {
  const auto parts = parse_url("http://[::1]:9000/x");
  CHECK(parts.host == "[::1]");
  CHECK(parts.port == "9000");
  CHECK(is_loopback_host(parts.host));
}

TEST_CASE("parse_url: user info is not taken for the host", "[url]") {
  const auto parts = parse_url("http://127.0.0.1:80@example.com/");
  CHECK(parts.host == "example.com");
  CHECK_FALSE(is_loopback_host(parts.host));
}

TEST_CASE("parse_url: what is not an absolute URL is invalid_argument", "[url]") {
  for (const char* text : {"", "example.com", "mavi-backend.openinterx.com/api", "http://",
                           "http://exa mple.com/", "://example.com"}) {
    INFO("'" << text << "'");
    const mavi::Error e = mavi::test::expect_error([&] { parse_url(text); });
    CHECK(e.kind() == Errc::invalid_argument);
    CHECK(std::string(e.what()).find("invalid URL '" + std::string(text) + "'") !=
          std::string::npos);
  }
}

TEST_CASE("is_loopback_host: localhost, 127.0.0.0/8, ::1 and v4-mapped 127.x", "[url]") {
  for (const char* host :
       {"localhost", "localhost.", "127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "[::1]",
        "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::ffff:127.9.9.9]"}) {
    INFO(host);
    CHECK(is_loopback_host(host));
  }
}

TEST_CASE("is_loopback_host: anything else is not loopback", "[url]") {
  for (const char* host :
       {"", "example.com", "localhost.example.com", "mylocalhost", "127.0.0.1.nip.io", "128.0.0.1",
        "126.255.255.255", "10.0.0.1", "0.0.0.0", "::", "::2", "[::2]", "::ffff:10.0.0.1",
        "::ffff:128.0.0.1", "127.0.0.1:80", "[::1"}) {
    INFO("'" << host << "'");
    CHECK_FALSE(is_loopback_host(host));
  }
}

TEST_CASE("escape: percent-encodes everything but unreserved characters", "[url]") {
  CHECK(escape("") == "");
  CHECK(escape("AZaz09-._~") == "AZaz09-._~");
  CHECK(escape("a b&c=d/e?f#g+h") == "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh");
  CHECK(escape("http://127.0.0.1:9/cb?x=1") == "http%3A%2F%2F127.0.0.1%3A9%2Fcb%3Fx%3D1");
  CHECK(escape("\xc3\xa9") == "%C3%A9");  // UTF-8 bytes, one by one
}

TEST_CASE("escape: takes the view's length, not up to a NUL", "[url]") {
  using namespace std::string_view_literals;
  CHECK(escape("a\0b"sv) == "a%00b");
  CHECK(escape(std::string_view("abc", 2)) == "ab");
}

TEST_CASE("without_query and url_filename: what a remote source is shown and named by", "[url]") {
  using mavi::detail::http::url_filename;
  using mavi::detail::http::without_query;
  CHECK(without_query("http://h/a/clip.mp4?sig=secret#t=1") == "http://h/a/clip.mp4");
  CHECK(without_query("http://h/a/clip.mp4#frag") == "http://h/a/clip.mp4");
  CHECK(without_query("http://h/a") == "http://h/a");
  CHECK(url_filename("http://h/a/clip.mp4?sig=1") == "clip.mp4");
  CHECK(url_filename("https://h:8443/My%20Clip.MOV") == "My Clip.MOV");
  CHECK(url_filename("http://h/a%2Fb.mp4") == "a_b.mp4");  // one name, never a folder
  CHECK(url_filename("http://h/") == "video");
  CHECK(url_filename("http://h") == "video");
  CHECK(url_filename("http://h/..") == "video");
}
