// A local upload sink for bench/upload_bench.sh: answers MAVI's upload with code "0000" after
// reading and discarding the body, so both clients are measured against the same fast server.
// Built by the bench script: g++ -O2 upload_sink.cpp $(pkg-config --cflags --libs cpp-httplib)
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <string>

int main() {
  httplib::Server server;
  std::atomic<long> next{1};
  server.Post("/api/serve/video/upload", [&](const httplib::Request& req, httplib::Response& res,
                                             const httplib::ContentReader& reader) {
    unsigned long long bytes = 0;
    auto count = [&](const char*, size_t length) {
      bytes += length;
      return true;
    };
    // httplib needs the multipart form of the reader for multipart requests.
    if (req.is_multipart_form_data()) {
      reader([](const httplib::MultipartFormData&) { return true; }, count);
    } else {
      reader(count);
    }
    const std::string video_no = "VI" + std::to_string(next++);
    res.set_content(
        "{\"code\":\"0000\",\"msg\":\"success\",\"data\":{\"videoNo\":\"" + video_no +
            "\",\"videoName\":\"bench\",\"videoStatus\":\"UNPARSE\",\"uploadTime\":\"0\","
            "\"duration\":\"0\",\"bytes\":\"" +
            std::to_string(bytes) + "\"}}",
        "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::printf("listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
}
