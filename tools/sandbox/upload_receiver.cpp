#include "sandbox/upload_receiver.hpp"

#include <httplib.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "sandbox/bandwidth_limiter.hpp"

namespace mavi::cli::sandbox {

namespace {

constexpr std::size_t kMaxFieldBytes = 64 * 1024;        // one form field
constexpr std::size_t kMaxAllFieldsBytes = 1024 * 1024;  // all of them
constexpr const char* kTempPrefix = ".upload-";
constexpr const char* kTempSuffix = ".part";

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
struct DigestFree {
  void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};

std::filesystem::path temp_path_in(const std::filesystem::path& dir) {
  static std::atomic<unsigned long> counter{0};
  return dir /
         (kTempPrefix + std::to_string(::getpid()) + "-" + std::to_string(++counter) + kTempSuffix);
}

std::string to_hex(const unsigned char* bytes, unsigned length) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xf]);
  }
  return out;
}

}  // namespace

ReceivedUpload receive_upload(const httplib::Request& request, const httplib::ContentReader& reader,
                              const ReceiveOptions& options) {
  ReceivedUpload upload;
  upload.multipart = request.is_multipart_form_data();
  if (!upload.multipart) {
    upload.complete = drain_body(request, reader, options.limiter);
    return upload;
  }

  enum class Target { none, file, field, ignored };
  Target target = Target::none;
  std::string field_name;
  std::size_t all_fields_bytes = 0;
  std::uintmax_t body_bytes = 0;
  bool write_failed = false;
  std::unique_ptr<std::FILE, FileCloser> file;
  std::unique_ptr<EVP_MD_CTX, DigestFree> digest(EVP_MD_CTX_new());
  std::vector<char> file_buffer(1 << 20);

  const bool read_ok = reader(
      [&](const httplib::MultipartFormData& part) {
        if (target == Target::field && field_name == "tags") {
          upload.tags.push_back(upload.fields["tags"]);
        }
        if (part.name == "file" && !upload.has_file) {
          upload.has_file = true;
          upload.filename = part.filename;
          upload.content_type = part.content_type;
          upload.temp_path = temp_path_in(options.store_dir);
          file.reset(std::fopen(upload.temp_path.c_str(), "wbx"));
          if (!file || !digest || EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr) != 1) {
            write_failed = true;
            return false;
          }
          std::setvbuf(file.get(), file_buffer.data(), _IOFBF, file_buffer.size());
          target = Target::file;
        } else if (part.filename.empty() && part.name != "file") {
          field_name = part.name;
          upload.fields[field_name].clear();
          target = Target::field;
        } else {
          target = Target::ignored;  // a second file part: read past it
        }
        return true;
      },
      [&](const char* data, std::size_t length) {
        if (options.limiter)
          options.limiter->consume(length);
        body_bytes += length;
        if (target == Target::file) {
          if (std::fwrite(data, 1, length, file.get()) != length ||
              EVP_DigestUpdate(digest.get(), data, length) != 1) {
            write_failed = true;
            return false;
          }
          upload.size_bytes += length;
        } else if (target == Target::field) {
          auto& value = upload.fields[field_name];
          all_fields_bytes += length;
          if (value.size() + length > kMaxFieldBytes || all_fields_bytes > kMaxAllFieldsBytes) {
            upload.fields_too_large = true;
          } else {
            value.append(data, length);
          }
        }
        return !(options.stop_after_bytes && body_bytes >= *options.stop_after_bytes);
      });
  if (target == Target::field && field_name == "tags")
    upload.tags.push_back(upload.fields["tags"]);

  if (file) {
    if (std::fflush(file.get()) != 0)
      write_failed = true;
    if (std::fclose(file.release()) != 0)
      write_failed = true;
  }
  upload.complete = read_ok && !write_failed;
  if (upload.has_file && upload.complete) {
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned hash_length = 0;
    EVP_DigestFinal_ex(digest.get(), hash, &hash_length);
    upload.sha256 = to_hex(hash, hash_length);
  } else if (!upload.temp_path.empty()) {
    std::error_code ec;
    std::filesystem::remove(upload.temp_path, ec);
    upload.temp_path.clear();
  }
  return upload;
}

FetchedUpload fetch_url(const std::string& url, const std::filesystem::path& store_dir,
                        std::uintmax_t max_bytes) {
  FetchedUpload fetched;
  const std::string prefix = "http://";
  const std::size_t host_end = url.find('/', prefix.size());
  const std::string origin = url.substr(0, host_end);
  const std::string host = origin.size() > prefix.size() ? origin.substr(prefix.size()) : "";
  if (url.rfind(prefix, 0) != 0 ||
      !(host.rfind("127.", 0) == 0 || host.rfind("localhost", 0) == 0 ||
        host.rfind("[::1]", 0) == 0)) {
    fetched.error = "sandbox: fetches only http:// URLs on this machine: " + url;
    return fetched;
  }
  const std::string target = host_end == std::string::npos ? "/" : url.substr(host_end);
  const std::string path = target.substr(0, target.find_first_of("?#"));
  std::string name = path.substr(path.rfind('/') + 1);
  fetched.upload.filename = name.empty() ? "video" : name;

  fetched.upload.temp_path = temp_path_in(store_dir);
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(fetched.upload.temp_path.c_str(), "wbx"));
  std::unique_ptr<EVP_MD_CTX, DigestFree> digest(EVP_MD_CTX_new());
  auto discard = [&](const std::string& why) {
    file.reset();
    std::error_code ec;
    std::filesystem::remove(fetched.upload.temp_path, ec);
    fetched.upload.temp_path.clear();
    fetched.error = why;
    return fetched;
  };
  if (!file || !digest || EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr) != 1)
    return discard("sandbox: cannot store the fetched video");
  httplib::Client client(origin);
  client.set_connection_timeout(10);
  client.set_read_timeout(60);
  bool too_large = false;
  bool write_failed = false;
  const httplib::Result result = client.Get(target, [&](const char* data, std::size_t length) {
    if (fetched.upload.size_bytes + length > max_bytes) {
      too_large = true;
      return false;
    }
    if (std::fwrite(data, 1, length, file.get()) != length ||
        EVP_DigestUpdate(digest.get(), data, length) != 1) {
      write_failed = true;
      return false;
    }
    fetched.upload.size_bytes += length;
    return true;
  });
  if (too_large)
    return discard("the video at the URL is larger than " + std::to_string(max_bytes) + " bytes");
  if (write_failed || std::fflush(file.get()) != 0)
    return discard("sandbox: cannot store the fetched video");
  if (!result)
    return discard("cannot fetch " + url + ": " + httplib::to_string(result.error()));
  if (result->status != 200)
    return discard("cannot fetch " + url + ": HTTP " + std::to_string(result->status));
  if (std::fclose(file.release()) != 0)
    return discard("sandbox: cannot store the fetched video");
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned hash_length = 0;
  EVP_DigestFinal_ex(digest.get(), hash, &hash_length);
  fetched.upload.sha256 = to_hex(hash, hash_length);
  fetched.upload.complete = true;
  fetched.upload.multipart = true;
  fetched.upload.has_file = true;
  return fetched;
}

bool drain_body(const httplib::Request& request, const httplib::ContentReader& reader,
                BandwidthLimiter* limiter) {
  auto discard = [limiter](const char*, std::size_t length) {
    if (limiter)
      limiter->consume(length);
    return true;
  };
  if (request.is_multipart_form_data()) {
    return reader([](const httplib::MultipartFormData&) { return true; }, discard);
  }
  return reader(discard);
}

void remove_stale_temp_files(const std::filesystem::path& store_dir) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(store_dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kTempPrefix, 0) == 0 && name.size() > 5 &&
        name.compare(name.size() - 5, 5, kTempSuffix) == 0) {
      std::error_code ignored;
      std::filesystem::remove(it->path(), ignored);
    }
  }
}

}  // namespace mavi::cli::sandbox
