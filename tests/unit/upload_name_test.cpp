// upload_name(): the name MAVI sees for a file, prepared or not.
#include <catch2/catch.hpp>

#include "mavi/upload.hpp"

TEST_CASE("upload_name keeps an uploaded file's name, gives a prepared one the stem and .mp4") {
  CHECK(mavi::upload_name("in/clip.mov", false) == "clip.mov");
  CHECK(mavi::upload_name("in/clip.mov", true) == "clip.mp4");
  CHECK(mavi::upload_name("in/clip.final.ts", true) == "clip.final.mp4");
  CHECK(mavi::upload_name("in/noext", true) == "noext.mp4");
  CHECK(mavi::upload_name("in/a b é.MKV", true) == "a b é.mp4");
}
