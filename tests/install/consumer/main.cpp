// Checks one file with the installed libmavi and prints "<verdict> <version>".
#include <iostream>

#include <mavi/check.hpp>
#include <mavi/log.hpp>
#include <mavi/version.hpp>

int main(int argc, char** argv) {
  if (argc != 2)
    return 64;
  mavi::set_log_level(mavi::LogLevel::quiet);
  const mavi::CheckResult result = mavi::check(argv[1]);
  std::cout << mavi::to_string(result.verdict.kind) << ' ' << mavi::version() << '\n';
  return 0;
}
