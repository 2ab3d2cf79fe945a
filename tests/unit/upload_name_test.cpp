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

TEST_CASE("a remote source is named by its URL's last segment, without the query") {
  CHECK(mavi::upload_name("http://cdn.example/v/clip.flv?sig=abc", false) == "clip.flv");
  CHECK(mavi::upload_name("http://cdn.example/v/clip.flv?sig=abc", true) == "clip.mp4");
  CHECK(mavi::upload_name("HTTPS://cdn.example/v/a%20b.avi", true) == "a b.mp4");
}

TEST_CASE("the content type follows the extension, for every container some generation takes") {
  CHECK(mavi::content_type_for("a.mp4") == "video/mp4");
  CHECK(mavi::content_type_for("a.MOV") == "video/quicktime");
  CHECK(mavi::content_type_for("a.mkv") == "video/x-matroska");
  CHECK(mavi::content_type_for("a.avi") == "video/x-msvideo");
  CHECK(mavi::content_type_for("a.webm") == "video/webm");
  CHECK(mavi::content_type_for("a.flv") == "video/x-flv");
  CHECK(mavi::content_type_for("a.wmv") == "video/x-ms-wmv");
  CHECK(mavi::content_type_for("a.mpg") == "video/mpeg");
  CHECK(mavi::content_type_for("a.vob") == "video/mpeg");
  CHECK(mavi::content_type_for("a.xyz") == "application/octet-stream");
}
