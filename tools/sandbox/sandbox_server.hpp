// SandboxServer: the HTTP server that puts the sandbox's endpoints, log and faults together.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "sandbox/sandbox_config.hpp"

namespace mavi::cli::sandbox {

struct SandboxState;
class VideoStore;

class SandboxServer {
 public:
  // `log` receives the request log and callback outcomes (nothing when config.quiet).
  SandboxServer(SandboxConfig config, std::ostream& log);
  ~SandboxServer();
  SandboxServer(const SandboxServer&) = delete;
  SandboxServer& operator=(const SandboxServer&) = delete;

  // Binds to config.host and config.port (0: any free port) and returns the port. Connections
  // are queued from now on. Throws std::runtime_error when binding fails.
  int bind();
  // Serves until stop(); returns false when serving could not start.
  bool run();
  // Safe from any thread; idempotent.
  void stop();
  bool running() const;

  const VideoStore& store() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mavi::cli::sandbox
