// expect_error(fn): runs `fn`, expecting a mavi::Error; returns it for inspection.
#pragma once

#include <catch2/catch.hpp>

#include "mavi/error.hpp"

namespace mavi::test {

template <typename Fn>
mavi::Error expect_error(Fn fn) {
  try {
    fn();
  } catch (const mavi::Error& e) {
    return e;
  }
  FAIL("no mavi::Error thrown");
  return mavi::Error(mavi::Errc::internal, "unreachable");
}

}  // namespace mavi::test
