// drop_connection(): ends the TCP connection a request arrived on without answering, to
// simulate a network failure mid-upload.
#pragma once

namespace httplib {
struct Request;
}

namespace mavi::cli::sandbox {

// cpp-httplib 0.11 hands handlers no socket, so the connection is found among this process's
// sockets by its two port numbers and shut down (not closed: httplib still owns the
// descriptor and closes it itself, so no descriptor is ever closed twice). Returns false when
// no socket matched.
bool drop_connection(const httplib::Request& request);

}  // namespace mavi::cli::sandbox
