// mavi::Client against purpose-built misbehaving servers on 127.0.0.1 (issue 6's network
// faults that tests/net/upload_client_test.cpp does not already cover): answers dripped slowly,
// answers larger than any sane size, invalid UTF-8 and binary bytes in the JSON, HTTP 200 with
// an error code, redirects (to the same host and to another host that records what it gets),
// and TLS with a self-signed certificate (refused unless cacert names it).
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"
#include "support/expect_error.hpp"
#include "support/paths.hpp"
#include "support/run.hpp"

namespace {

using namespace std::chrono_literals;
using mavi::Errc;

const mavi::HttpGlobal http_global;

const std::string kKey = "sk-NETFAULT-KEY-7f3a9c";
const std::string kOkAnswer =
    R"({"code":"0000","msg":"success","data":{"videoNo":"VI77","videoName":"clip.mp4",)"
    R"("videoStatus":"UNPARSE","uploadTime":"1700000000000","duration":"1"}})";

struct Seen {
  std::string method;
  std::string path;
  std::string authorization;
  std::string host;
};

// A server whose every route is `handler`, recording each request it receives. The request
// body is read (and discarded) before the handler runs, so uploads complete.
class Listener {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit Listener(Handler handler, std::unique_ptr<httplib::Server> server = nullptr)
      : server_(server ? std::move(server) : std::make_unique<httplib::Server>()),
        handler_(std::move(handler)) {
    auto route = [this](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) {
      if (req.is_multipart_form_data()) {
        reader([](const httplib::MultipartFormData&) { return true; },
               [](const char*, size_t) { return true; });
      } else {
        reader([](const char*, size_t) { return true; });
      }
      record(req);
      handler_(req, res);
    };
    server_->Post(".*", route);
    server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      handler_(req, res);
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Listener() {
    server_->stop();
    thread_.join();
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& scheme = "http", const std::string& host = "127.0.0.1") const {
    return scheme + "://" + host + ":" + std::to_string(port_);
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  void record(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    seen_.push_back({req.method, req.path, req.get_header_value("Authorization"),
                     req.get_header_value("Host")});
  }

  std::unique_ptr<httplib::Server> server_;
  Handler handler_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

mavi::ClientConfig config_for(const std::string& base_url) {
  mavi::ClientConfig config;
  config.base_url = base_url;
  config.api_key = kKey;
  config.uploads_per_minute = 0;
  config.retry.max_attempts = 1;
  config.connect_timeout = 5s;
  config.low_speed_time = 20s;
  return config;
}

std::filesystem::path make_clip(const mavi::test::TempDir& dir) {
  const auto path = dir / "clip.mp4";
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < 100 * 1024; ++i)
    out.put(static_cast<char>(i * 7 % 253));
  return path;
}

using mavi::test::expect_error;

// Every byte printable ASCII: what a terminal or a JSON report can show safely.
bool printable_ascii(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e)
      return false;
  }
  return true;
}

// Sends `text` a few bytes at a time with pauses (chunked transfer encoding).
void drip(httplib::Response& res, std::string text, std::size_t piece,
          std::chrono::milliseconds pause) {
  res.status = 200;
  res.set_chunked_content_provider("application/json",
                                   [text, piece, pause](size_t offset, httplib::DataSink& sink) {
                                     if (offset >= text.size()) {
                                       sink.done();
                                       return true;
                                     }
                                     std::this_thread::sleep_for(pause);
                                     const std::size_t n = std::min(piece, text.size() - offset);
                                     return sink.write(text.data() + offset, n);
                                   });
}

}  // namespace

TEST_CASE("an answer dripped a few bytes at a time is read whole") {
  Listener server(
      [](const httplib::Request&, httplib::Response& res) { drip(res, kOkAnswer, 16, 40ms); });
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server.url()));
  const auto result = client.upload(make_clip(dir));
  CHECK(result.video.video_no == "VI77");
  CHECK(result.attempts == 1);
}

TEST_CASE("an answer that drips forever ends in a timeout, upload and lookup alike") {
  // Five bytes a second beats the low-speed limit (1 byte/s); only the answer timeout ends it.
  Listener server([](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    // Ends when the client hangs up and the write fails.
    res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
      std::this_thread::sleep_for(200ms);
      return sink.write(" ", 1);
    });
  });
  mavi::test::TempDir dir;
  auto config = config_for(server.url());
  config.answer_timeout = 2s;
  config.low_speed_time = 1s;
  mavi::Client client(config);
  auto error = expect_error([&] { client.upload(make_clip(dir)); });
  CHECK(error.kind() == Errc::timeout);
  CHECK(std::string(error.what()).find("did not arrive within 2 s") != std::string::npos);

  const mavi::TimeWindow window{std::chrono::system_clock::now() - 1h,
                                std::chrono::system_clock::now()};
  error = expect_error([&] { client.find_uploaded("clip.mp4", window); });
  CHECK(error.kind() == Errc::timeout);
}

TEST_CASE("an answer larger than any sane size is cut off at 1 MiB") {
  std::atomic<std::uint64_t> written{0};
  Listener server([&](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    // Declares 8 GiB; a client that read it all would take minutes and gigabytes.
    const std::uint64_t declared = 8ULL << 30;
    res.set_content_provider(declared, "application/json",
                             [&written](size_t offset, size_t length, httplib::DataSink& sink) {
                               static const std::string prefix = R"({"code":"0000","msg":")";
                               std::string chunk(std::min<size_t>(length, 64 * 1024), 'a');
                               if (offset == 0)
                                 chunk.replace(0, prefix.size(), prefix);
                               if (!sink.write(chunk.data(), chunk.size()))
                                 return false;
                               written += chunk.size();
                               return written <
                                      (256ULL << 20);  // a bound for a client that never stops
                             });
  });
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server.url()));
  auto error = expect_error([&] { client.upload(make_clip(dir)); });
  CHECK(error.kind() == Errc::bad_response);
  CHECK(std::string(error.what()).find("larger than 1 MiB") != std::string::npos);
  CHECK_FALSE(mavi::is_retryable(error.kind()));

  const mavi::TimeWindow window{std::chrono::system_clock::now() - 1h,
                                std::chrono::system_clock::now()};
  error = expect_error([&] { client.find_uploaded("clip.mp4", window); });
  CHECK(error.kind() == Errc::bad_response);
  // The client hung up soon after its cap (socket buffers hold a few MiB at most).
  CHECK(written.load() < (64ULL << 20));
}

TEST_CASE("invalid UTF-8 or binary bytes in the JSON are bad_response with a printable message") {
  std::string body;
  SECTION("invalid UTF-8 inside a string") {
    body = "{\"code\":\"0000\",\"msg\":\"ok \xff\xfe\",\"data\":{\"videoNo\":\"VI\xc3\"}}";
  }
  SECTION("raw control bytes (terminal escapes) inside a string") {
    body = "{\"code\":\"0000\",\"msg\":\"\x01\x1b[31mred\",\"data\":{\"videoNo\":\"VI1\"}}";
  }
  SECTION("a NUL byte inside a string") {
    body = std::string("{\"code\":\"0000\",\"msg\":\"a\0b\",\"data\":{\"videoNo\":\"VI1\"}}", 52);
  }
  SECTION("an error answer whose message is binary, echoing the key") {
    body = "{\"code\":\"0401\",\"msg\":\"\x80\x81 " + kKey + "\"}";
  }
  SECTION("pure binary") {
    for (int i = 0; i < 512; ++i)
      body.push_back(static_cast<char>(i * 13 % 256));
  }
  Listener server([&](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(body, "application/json");
  });
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server.url()));
  const auto error = expect_error([&] { client.upload(make_clip(dir)); });
  CHECK(error.kind() == Errc::bad_response);
  const std::string message = error.what();
  CHECK(printable_ascii(message));
  CHECK(message.find(kKey) == std::string::npos);
  CHECK(server.seen().size() == 1);  // not retried: the same answer would come back
}

TEST_CASE("escaped non-ASCII in the JSON is fine") {
  Listener server([](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        R"({"code":"0000","msg":"ok","data":{"videoNo":"VI8","videoName":"caf\u00e9 \ud83c\udfac.mp4"}})",
        "application/json");
  });
  mavi::test::TempDir dir;
  mavi::Client client(config_for(server.url()));
  const auto result = client.upload(make_clip(dir));
  CHECK(result.video.video_name == "caf\xc3\xa9 \xf0\x9f\x8e\xac.mp4");
}

TEST_CASE("HTTP 200 with an error code is that error, and only retryable codes are retried") {
  struct Case {
    const char* code;
    Errc kind;
  };
  const Case cases[] = {{"0402", Errc::no_credits},  {"0403", Errc::account_disabled},
                        {"0003", Errc::bad_request}, {"9009", Errc::permission},
                        {"0401", Errc::bad_auth},    {"7777", Errc::http}};
  for (const auto& c : cases) {
    INFO(c.code);
    Listener server([&](const httplib::Request&, httplib::Response& res) {
      res.status = 200;
      res.set_content(std::string(R"({"code":")") + c.code + R"(","msg":"no","data":null})",
                      "application/json");
    });
    mavi::test::TempDir dir;
    auto config = config_for(server.url());
    config.retry.max_attempts = 3;
    config.retry.base_backoff = 10ms;
    mavi::Client client(config);
    const auto error = expect_error([&] { client.upload(make_clip(dir)); });
    CHECK(error.kind() == c.kind);
    CHECK(std::string(error.what()).find(std::string("MAVI code ") + c.code) != std::string::npos);
    CHECK(server.seen().size() == 1);
  }
}

TEST_CASE("code 0001 with HTTP 200 is retried, as MAVI's own examples do") {
  std::atomic<int> answered{0};
  Listener server([&](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    if (++answered == 1)
      res.set_content(R"({"code":"0001","msg":"busy","data":null})", "application/json");
    else
      res.set_content(kOkAnswer, "application/json");
  });
  mavi::test::TempDir dir;
  auto config = config_for(server.url());
  config.retry.max_attempts = 3;
  config.retry.base_backoff = 10ms;
  mavi::Client client(config);
  const auto result = client.upload(make_clip(dir));
  CHECK(result.attempts == 2);
  // The first upload, a look-up (its whole body had gone out), the second upload.
  CHECK(server.seen().size() == 3);
}

TEST_CASE("redirects are not followed: the key never reaches another host") {
  // The other host: a second listener reached under another name, recording every header.
  Listener other([](const httplib::Request&, httplib::Response& res) {
    res.set_content(kOkAnswer, "application/json");
  });
  std::string location;
  int status = 302;
  Listener server([&](const httplib::Request& req, httplib::Response& res) {
    res.status = status;
    res.set_header("Location", location + req.path);
    res.set_content(R"({"code":"0000"})", "application/json");
  });
  mavi::test::TempDir dir;
  for (const int code : {301, 302, 303, 307, 308}) {
    for (const std::string& target : {other.url("http", "localhost"), server.url()}) {
      INFO(code << " to " << target);
      status = code;
      location = target;
      auto config = config_for(server.url());
      config.retry.max_attempts = 2;
      config.retry.base_backoff = 10ms;
      mavi::Client client(config);
      const auto error = expect_error([&] { client.upload(make_clip(dir)); });
      CHECK(error.kind() == Errc::http);
      CHECK(std::string(error.what()).find("redirects are not followed") != std::string::npos);
      CHECK(std::string(error.what()).find(kKey) == std::string::npos);
      const mavi::TimeWindow window{std::chrono::system_clock::now() - 1h,
                                    std::chrono::system_clock::now()};
      CHECK(expect_error([&] { client.find_uploaded("clip.mp4", window); }).kind() == Errc::http);
    }
  }
  CHECK(other.seen().empty());  // not one request, so never the key
  const auto seen = server.seen();
  CHECK(seen.size() == 5 * 2 * 2);  // one upload and one lookup per case, none retried
  for (const auto& s : seen)
    CHECK(s.authorization == kKey);
}

TEST_CASE("TLS with a self-signed certificate is refused unless cacert names it") {
  REQUIRE(mavi::test::on_path("openssl"));
  mavi::test::TempDir dir;
  auto make_cert = [&](const std::string& name) {
    const auto cert = dir / (name + ".pem");
    const auto key = dir / (name + ".key");
    const auto result = mavi::test::run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                         "-days", "2", "-subj", "/CN=localhost", "-addext",
                                         "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                                         key.string(), "-out", cert.string()});
    REQUIRE(result.exit_code == 0);
    return std::make_pair(cert, key);
  };
  const auto [cert, key] = make_cert("server");
  const auto [other_cert, other_key] = make_cert("other");
  auto tls = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  REQUIRE(tls->is_valid());
  Listener server([](const httplib::Request&,
                     httplib::Response& res) { res.set_content(kOkAnswer, "application/json"); },
                  std::move(tls));
  const auto clip = make_clip(dir);

  SECTION("no cacert: the system CAs do not know it") {
    auto config = config_for(server.url("https"));
    config.retry.max_attempts = 3;
    config.retry.base_backoff = 10ms;
    mavi::Client client(config);
    const auto error = expect_error([&] { client.upload(clip); });
    CHECK(error.kind() == Errc::invalid_argument);  // retrying cannot help; --cacert can
    CHECK(std::string(error.what()).find("certificate") != std::string::npos);
    CHECK(server.seen().empty());  // no request, so no key, went over the unverified channel
  }
  SECTION("a cacert that names another certificate") {
    auto config = config_for(server.url("https"));
    config.cacert = other_cert;
    mavi::Client client(config);
    CHECK(expect_error([&] { client.upload(clip); }).kind() == Errc::invalid_argument);
    CHECK(server.seen().empty());
  }
  SECTION("cacert names it: the upload goes through, over TLS") {
    for (const std::string host : {"127.0.0.1", "localhost"}) {
      auto config = config_for(server.url("https", host));
      config.cacert = cert;
      mavi::Client client(config);
      CHECK(client.upload(clip).video.video_no == "VI77");
    }
    REQUIRE(server.seen().size() == 2);
    CHECK(server.seen()[0].authorization == kKey);
  }
}

namespace {

// A raw TCP server: on its first connection it reads the request head, answers HTTP 400 at
// once (a server that gave up waiting for the body, say) and stops reading; every later
// connection gets the whole body read and a success answer.
class EarlyAnswerServer {
 public:
  EarlyAnswerServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    REQUIRE(::listen(listener_, 4) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~EarlyAnswerServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  EarlyAnswerServer(const EarlyAnswerServer&) = delete;
  EarlyAnswerServer& operator=(const EarlyAnswerServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  static void send_answer(int fd, const std::string& status, const std::string& body) {
    const std::string answer = "HTTP/1.1 " + status +
                               "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                               "Content-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
    [[maybe_unused]] const auto sent = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
  }

  void serve() {
    for (;;) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0)
        return;
      const int n = ++connections_;
      char buffer[64 * 1024];
      if (n == 1) {
        [[maybe_unused]] const auto got = ::recv(fd, buffer, 1024, 0);
        send_answer(fd, "400 Bad Request", R"({"code":"0001","msg":"request timeout"})");
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      } else {
        std::string request;
        for (ssize_t got; (got = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
          request.append(buffer, static_cast<std::size_t>(got));
          const auto head_end = request.find("\r\n\r\n");
          const auto length_at = request.find("Content-Length: ");
          if (head_end != std::string::npos && length_at != std::string::npos &&
              request.size() >= head_end + 4 + std::stoull(request.substr(length_at + 16)))
            break;
        }
        send_answer(fd, "200 OK", kOkAnswer);
      }
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("a 4xx answer that comes before the whole body was sent is a cut-off attempt: retried") {
  EarlyAnswerServer server;
  mavi::test::TempDir dir;
  // Far more than the socket buffers hold: the answer comes while the body is still going out.
  const auto path = dir / "big.mp4";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 16 * 1024 * 1024; ++i)
      out.put(static_cast<char>(i * 13 % 251));
  }
  auto config = config_for(server.url());
  config.retry.max_attempts = 2;
  config.retry.base_backoff = 10ms;
  mavi::Client client(config);
  const mavi::UploadResult result = client.upload(path);
  CHECK(result.video.video_no == "VI77");
  CHECK(result.attempts == 2);
  CHECK(server.connections() == 2);
}

TEST_CASE("a 4xx answer after the whole body was sent is the server's refusal: not retried") {
  Listener server([&](const httplib::Request&, httplib::Response& res) {
    res.status = 400;
    res.set_content(R"({"code":"0001","msg":"bad parameter"})", "application/json");
  });
  mavi::test::TempDir dir;
  auto config = config_for(server.url());
  config.retry.max_attempts = 3;
  config.retry.base_backoff = 10ms;
  mavi::Client client(config);
  const auto error = expect_error([&] { client.upload(make_clip(dir)); });
  CHECK(error.kind() == Errc::bad_request);
  CHECK(server.seen().size() == 1);
}
