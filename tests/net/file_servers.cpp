#include "net/file_servers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <fstream>

namespace mavi::test {

RangeFileServer::RangeFileServer(const std::filesystem::path& root) {
  REQUIRE(server_.set_mount_point("/media", root.string()));
  port_ = server_.bind_to_any_port("127.0.0.1");
  REQUIRE(port_ > 0);
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

RangeFileServer::~RangeFileServer() {
  server_.stop();
  thread_.join();
}

std::string RangeFileServer::url(const std::string& name) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/media/" + name;
}

PlainFileServer::PlainFileServer(const std::filesystem::path& root) : root_(root) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener_ >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener_, 16) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] {
    for (;;) {
      const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0 || stopping_) {
        if (connection >= 0)
          ::close(connection);
        return;
      }
      connections_.emplace_back([this, connection] { serve(connection); });
    }
  });
}

PlainFileServer::~PlainFileServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
  acceptor_.join();
  ::close(listener_);
  for (auto& connection : connections_)
    connection.join();
}

std::string PlainFileServer::url(const std::string& name) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/plain/" + name;
}

void PlainFileServer::serve(int connection) {
  // One request per connection (Connection: close): read the head, answer, close.
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
    if (got <= 0)
      break;
    head.append(buffer, static_cast<std::size_t>(got));
  }
  ++requests_;
  std::string lower = head;
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("\r\nrange:") != std::string::npos)
    ++range_requests_;
  const std::string prefix = "GET /plain/";
  std::string body;
  std::string status = "404 Not Found";
  if (head.rfind(prefix, 0) == 0) {
    const std::string name =
        head.substr(prefix.size(), head.find(' ', prefix.size()) - prefix.size());
    std::ifstream in(root_ / name, std::ios::binary);
    if (name.find("..") == std::string::npos && in) {
      body.assign(std::istreambuf_iterator<char>(in), {});
      status = "200 OK";
    }
  }
  const std::string answer = "HTTP/1.1 " + status +
                             "\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\nContent-Type: application/octet-stream\r\nConnection: "
                             "close\r\n\r\n" +
                             body;
  std::size_t sent = 0;
  while (sent < answer.size()) {
    const ssize_t n = ::send(connection, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;  // the client had enough (a probe reads only the head)
    sent += static_cast<std::size_t>(n);
  }
  ::close(connection);
}

}  // namespace mavi::test
