// ApiServer: the declarations API (declarations_api.h) on [api] listen, over cpp-httplib.
//
// Contract:
//  - Every request needs "Authorization: Bearer <token>" with a token of api.token_file
//    (api_tokens.h); without one it is answered 401 with WWW-Authenticate: Bearer before its
//    body is read. Headers and bodies are never logged; a request line (method, path, status)
//    is logged at debug.
//  - A body over max_body_bytes is refused with 413 before it is read whole.
//  - No cookie is ever read and no CORS header ever sent: a page of another origin cannot make
//    a browser send the bearer token, so cross-site requests change nothing. Beyond that, a
//    request whose Origin header is not this listener's own (scheme and Host) is answered 403
//    before anything else, token or not.
//  - With `console`, GET /console/ and its two files (console_files.h) are served without a
//    token, under a strict Content-Security-Policy; / and /console redirect there. Every /v1/
//    call of the page still needs the token.
//  - Answers are JSON; every error has the body {"error", "problems"}.
//  - With tls_cert_file/tls_key_file it serves HTTPS only.
//  - Start/Stop as HttpListener (daemon/process/http_listener.h), errors naming "api.listen".
//
// Thread safety: as HttpListener; the API and the tokens it holds are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/api/api_tokens.h"
#include "daemon/api/declarations_api.h"
#include "daemon/process/http_listener.h"

namespace customsd {

struct ApiServerOptions {
  size_t max_body_bytes = 32u << 20;
  std::string tls_cert_file, tls_key_file;  // both or neither
  // Clients served at once (one thread per kept-alive connection): enough for an order
  // system's workers to post concurrently and share commits.
  size_t threads = 16;
  bool console = false;  // serve the web console ([api] console)
};

class ApiServer {
 public:
  // `api` and `tokens` must outlive the server.
  ApiServer(DeclarationsApi& api, const ApiTokens& tokens, ApiServerOptions options)
      : api_(api), tokens_(tokens), options_(std::move(options)) {}

  StatusOr<int> Start(std::string_view listen);
  void Stop() { listener_.Stop(); }
  int port() const { return listener_.port(); }

 private:
  DeclarationsApi& api_;
  const ApiTokens& tokens_;
  ApiServerOptions options_;
  HttpListener listener_;
};

}  // namespace customsd
