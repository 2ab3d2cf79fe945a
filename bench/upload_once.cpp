// One upload through libmavi's Client, for bench/upload_bench.sh (the same code path as
// mavi-prepare-and-upload's upload step, without the media check a sparse file would fail).
// Usage: upload_once BASE_URL FILE
#include <cstdio>
#include <exception>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: upload_once BASE_URL FILE\n");
    return 64;
  }
  const mavi::HttpGlobal http_global;
  mavi::ClientConfig config;
  config.base_url = argv[1];
  config.api_key = "bench-key";
  config.uploads_per_minute = 0;
  try {
    mavi::Client client(config);
    const auto result =
        client.upload(argv[2], {}, [](const mavi::UploadProgress&) { return true; });
    std::printf("%s bytes=%llu elapsed_ms=%lld\n", result.video.video_no.c_str(),
                static_cast<unsigned long long>(result.bytes_sent),
                static_cast<long long>(result.elapsed.count()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "upload_once: %s\n", e.what());
    return 1;
  }
  return 0;
}
