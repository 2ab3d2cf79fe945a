#include <curl/curl.h>

#include "mavi/error.hpp"
#include "mavi/upload.hpp"

namespace mavi {

HttpGlobal::HttpGlobal() {
  if (CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    throw Error(Errc::internal, std::string("curl_global_init: ") + curl_easy_strerror(rc),
                static_cast<int>(rc));
  }
}

HttpGlobal::~HttpGlobal() {
  curl_global_cleanup();
}

}  // namespace mavi
