// Moving a finished file (written under a temporary name) to its final name.
#pragma once

#include <filesystem>

namespace mavi::detail {

// Renames `from` to `to`. With `replace` false an existing `to` is never replaced, however
// late it appeared (renameat2 RENAME_NOREPLACE, or link + unlink where the file system lacks
// it): the call then fails with Errc::io and `from` stays. Throws mavi::Error (io,
// permission_denied, disk_full).
void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to,
                       bool replace);

}  // namespace mavi::detail
