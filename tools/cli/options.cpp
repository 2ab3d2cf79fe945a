#include "cli/options.hpp"

namespace mavi::cli {

void one_value_per_occurrence(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    // Positionals (PATH...) collect every remaining argument by design.
    if (!option->get_positional())
      option->allow_extra_args(false);
  }
}

}  // namespace mavi::cli
