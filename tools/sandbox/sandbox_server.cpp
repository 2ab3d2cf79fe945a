#include "sandbox/sandbox_server.hpp"

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "sandbox/connection_dropper.hpp"
#include "sandbox/outage.hpp"
#include "sandbox/routes.hpp"
#include "sandbox/upload_receiver.hpp"

namespace mavi::cli::sandbox {

namespace {

thread_local std::chrono::steady_clock::time_point request_start;

}  // namespace

class SandboxServer::Impl {
 public:
  Impl(SandboxConfig config, std::ostream& log_stream)
      : log_stream_(log_stream),
        quiet_(config.quiet),
        outage_(config.outage),
        state_(std::move(config), [this](const std::string& line) { write_log(line); }) {
    remove_stale_temp_files(state_.config.store_dir);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second sandbox
    // binds a port already in use and the kernel splits the requests between the two.
    server_.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // Slow uplinks (--max-bandwidth) and big files need more than httplib's 5 s defaults.
    server_.set_read_timeout(std::chrono::seconds(60));
    server_.set_write_timeout(std::chrono::seconds(60));
    server_.set_pre_routing_handler(
        [this](const httplib::Request& request, httplib::Response& response) {
          request_start = std::chrono::steady_clock::now();
          begin_request();
          if (!outage_.active())
            return httplib::Server::HandlerResponse::Unhandled;
          // A staged outage: a connection opened before it (keep-alive) is cut, or answered 503.
          if (outage_.mode() == OutageMode::refuse) {
            drop_connection(request);
            mark_dropped();
          } else {
            reply(state_, response, ApiGeneration::classic, 503, "0503",
                  "sandbox: staged outage (service unavailable)");
          }
          return httplib::Server::HandlerResponse::Handled;
        });
    // One line per request; headers (and so the Authorization value) and the query are never
    // logged.
    server_.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
      if (request.method.empty() && connection_dropped())
        return;
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - request_start)
                          .count();
      const std::string status = take_dropped_mark() ? "dropped" : std::to_string(response.status);
      write_log(request.method + " " + request.path + " " + status +
                " in=" + std::to_string(request.get_header_value<std::uint64_t>("Content-Length")) +
                "B out=" + std::to_string(response.body.size()) + "B " + std::to_string(ms) + "ms");
    });
    register_classic_api(server_, state_);
    register_v1_api(server_, state_);
    register_v2_api(server_, state_);
    if (state_.config.admin)
      register_admin_api(server_, state_);
  }

  ~Impl() {
    stop();
    state_.dispatcher.stop();
  }

  int bind() {
    const auto& config = state_.config;
    const int port = config.port == 0
                         ? server_.bind_to_any_port(config.host)
                         : (server_.bind_to_port(config.host, config.port) ? config.port : -1);
    if (port <= 0) {
      throw std::runtime_error("cannot listen on " + config.host + ":" +
                               std::to_string(config.port));
    }
    port_ = port;
    return port;
  }

  bool run() {
    if (!outage_.enabled() || outage_.mode() != OutageMode::refuse)
      return server_.listen_after_bind();
    // Refused connections: the port is closed for the outage and opened again after it.
    std::thread closer([this] {
      while (!state_.stopping && (!server_.is_running() || !outage_.active()))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!state_.stopping) {
        write_log("staged outage: port closed");
        server_.stop();
      }
    });
    const bool served = server_.listen_after_bind();
    closer.join();
    if (state_.stopping)
      return served;
    while (!state_.stopping && outage_.active())
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (state_.stopping)
      return true;
    // The port was ours a moment ago: taking it again may need a retry or two.
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (server_.bind_to_port(state_.config.host, port_)) {
        write_log("staged outage over: listening again");
        return server_.listen_after_bind();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void stop() {
    state_.stopping = true;
    server_.stop();
  }
  bool running() const { return server_.is_running(); }
  const VideoStore& store() const { return state_.store; }

 private:
  void write_log(const std::string& line) {
    if (quiet_)
      return;
    std::lock_guard lock(log_mutex_);
    log_stream_ << line << '\n' << std::flush;
  }

  std::ostream& log_stream_;
  bool quiet_;
  OutageSchedule outage_;
  int port_ = 0;
  std::mutex log_mutex_;
  SandboxState state_;
  httplib::Server server_;
};

SandboxServer::SandboxServer(SandboxConfig config, std::ostream& log)
    : impl_(std::make_unique<Impl>(std::move(config), log)) {}
SandboxServer::~SandboxServer() = default;
int SandboxServer::bind() {
  return impl_->bind();
}
bool SandboxServer::run() {
  return impl_->run();
}
void SandboxServer::stop() {
  impl_->stop();
}
bool SandboxServer::running() const {
  return impl_->running();
}
const VideoStore& SandboxServer::store() const {
  return impl_->store();
}

}  // namespace mavi::cli::sandbox
