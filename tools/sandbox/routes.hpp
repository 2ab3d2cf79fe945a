// The sandbox's endpoints, grouped by API generation. Each handler is a plain function of the
// state and the request, so it can be called without a socket.
#pragma once

#include "sandbox/api_common.hpp"

namespace mavi::cli::sandbox {

// POST /api/serve/video/upload, GET /api/serve/video/searchDB, DELETE /api/serve/video/delete
void register_classic_api(httplib::Server& server, SandboxState& state);
void delete_classic(SandboxState& state, const httplib::Request& request,
                    httplib::Response& response);
void search_db(const SandboxState& state, const httplib::Request& request,
               httplib::Response& response);

// POST /serve/api/v1/upload, GET /serve/api/v1/get_metadata, POST /serve/api/v1/list_videos,
// POST /serve/api/v1/delete_videos
void register_v1_api(httplib::Server& server, SandboxState& state);
void delete_v1(SandboxState& state, const httplib::Request& request, httplib::Response& response);
void get_metadata(const SandboxState& state, const httplib::Request& request,
                  httplib::Response& response);
void list_videos(const SandboxState& state, const httplib::Request& request,
                 httplib::Response& response);

// POST /serve/api/v2/upload and /serve/api/v2/upload/signed-url, GET
// /serve/api/v2/{asset_id}/metadata, DELETE /serve/api/v2/{asset_id}, and the storage behind the
// signed URLs (POST /storage/TOKEN)
void register_v2_api(httplib::Server& server, SandboxState& state);
void delete_asset(SandboxState& state, const std::string& asset_id, httplib::Response& response);
void signed_url(SandboxState& state, const httplib::Request& request, httplib::Response& response);
void asset_metadata(const SandboxState& state, const std::string& asset_id,
                    httplib::Response& response);

// GET /sandbox/videos and /sandbox/stats (sandbox extension, only with --admin)
void register_admin_api(httplib::Server& server, SandboxState& state);
void admin_videos(const SandboxState& state, const httplib::Request& request,
                  httplib::Response& response);
void admin_stats(const SandboxState& state, const httplib::Request& request,
                 httplib::Response& response);

}  // namespace mavi::cli::sandbox
