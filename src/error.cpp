#include "mavi/error.hpp"

#include <utility>

namespace mavi {

std::string_view to_string(Errc kind) noexcept {
  switch (kind) {
    case Errc::io:
      return "io";
    case Errc::not_found:
      return "not_found";
    case Errc::permission_denied:
      return "permission_denied";
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::empty_file:
      return "empty_file";
    case Errc::not_media:
      return "not_media";
    case Errc::unreadable:
      return "unreadable";
    case Errc::unsupported:
      return "unsupported";
    case Errc::media:
      return "media";
    case Errc::disk_full:
      return "disk_full";
    case Errc::verification_failed:
      return "verification_failed";
    case Errc::network:
      return "network";
    case Errc::timeout:
      return "timeout";
    case Errc::http:
      return "http";
    case Errc::bad_auth:
      return "bad_auth";
    case Errc::no_credits:
      return "no_credits";
    case Errc::account_disabled:
      return "account_disabled";
    case Errc::duplicate:
      return "duplicate";
    case Errc::rate_limited:
      return "rate_limited";
    case Errc::bad_request:
      return "bad_request";
    case Errc::server_error:
      return "server_error";
    case Errc::bad_response:
      return "bad_response";
    case Errc::permission:
      return "permission";
    case Errc::cancelled:
      return "cancelled";
    case Errc::journal_locked:
      return "journal_locked";
    case Errc::journal:
      return "journal";
    case Errc::service_unavailable:
      return "service_unavailable";
    case Errc::internal:
      return "internal";
  }
  return "internal";
}

bool is_retryable(Errc kind) noexcept {
  switch (kind) {
    case Errc::network:
    case Errc::timeout:
    case Errc::server_error:
    case Errc::rate_limited:
      return true;
    default:
      return false;
  }
}

Error::Error(Errc kind, std::string message, int native_code)
    : std::runtime_error(std::move(message)), kind_(kind), native_code_(native_code) {}

}  // namespace mavi
