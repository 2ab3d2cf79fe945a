// What a mavi-sandbox holds, read through its own searchDB: the check that every file of a
// batch reached MAVI exactly once.
#pragma once

#include <map>
#include <string>

#include "support/sandbox_process.hpp"

namespace mavi::test {

// videoName -> how many times the sandbox stored it (asked with `api_key`).
std::map<std::string, int> stored_videos(const SandboxProcess& sandbox, const std::string& api_key);

// `count` different videos, each stored once (Catch2 checks).
void expect_each_once(const SandboxProcess& sandbox, const std::string& api_key, int count);

}  // namespace mavi::test
