#include "daemon/api/api_server.h"

#include <spdlog/spdlog.h>

#include "daemon/api/console_files.h"

namespace customsd {
namespace {

void Answer(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  "application/json");
}

std::string Reason(int status) {
  switch (status) {
    case 404:
      return "no such resource";
    case 405:
      return "method not allowed";
    case 413:
      return "body: larger than api.max_body_mb";
    default:
      return "request refused (HTTP " + std::to_string(status) + ")";
  }
}

// A browser names the page that made a request in Origin (always on a cross-origin request and
// on a same-origin write). Only pages of this listener's own origin, the console's, may act.
bool ForeignOrigin(const httplib::Request& req, bool tls) {
  if (!req.has_header("Origin")) return false;
  const std::string own = std::string(tls ? "https://" : "http://") + req.get_header_value("Host");
  return req.get_header_value("Origin") != own;
}

// The console's files, without a token: they hold no data. true when `req` was one of them.
bool ServeConsole(const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/" || req.path == "/console") {
    res.status = 302;
    res.set_header("Location", "/console/");
    return true;
  }
  if (!req.path.starts_with("/console/")) return false;
  std::optional<ConsoleFile> file = FindConsoleFile(req.path);
  if (!file) {
    Answer(res, 404, ErrorBody("no such resource"));
    return true;
  }
  if (req.method != "GET" && req.method != "HEAD") {
    Answer(res, 405, ErrorBody(Reason(405)));
    return true;
  }
  res.set_header("Content-Security-Policy", std::string(kConsoleContentSecurityPolicy));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::string(file->body), std::string(file->content_type));
  return true;
}

}  // namespace

StatusOr<int> ApiServer::Start(std::string_view listen) {
  std::unique_ptr<httplib::Server> server;
  if (!options_.tls_cert_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                    options_.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return Status::InvalidInput("api.tls_cert_file: cannot load the certificate and key (" +
                                  options_.tls_cert_file + ")");
    }
    server = std::move(tls);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  PrepareServer(*server, options_.threads);
  server->set_payload_max_length(options_.max_body_bytes);
  server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (ForeignOrigin(req, !options_.tls_cert_file.empty())) {
      Answer(res, 403, ErrorBody("Origin: a page of another site may not use this API"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (options_.console && ServeConsole(req, res)) {
      return httplib::Server::HandlerResponse::Handled;
    }
    if (tokens_.Accepts(req.get_header_value("Authorization"))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("WWW-Authenticate", "Bearer realm=\"customsd\"");
    Answer(res, 401,
           ErrorBody(req.has_header("Authorization")
                         ? "Authorization: not a token this daemon accepts"
                         : "Authorization: missing; send \"Authorization: Bearer <token>\""));
    return httplib::Server::HandlerResponse::Handled;
  });
  // httplib's own refusals (413, 404 of an unknown method) come without a body: give them ours.
  server->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        Answer(res, res.status, ErrorBody(Reason(res.status)));
        return httplib::Server::HandlerResponse::Handled;
      }));
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    ApiRequest r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.params) r.params.emplace(k, v);
    r.content_type = req.get_header_value("Content-Type");
    r.idempotency_key = req.get_header_value("Idempotency-Key");
    r.body = req.body;
    ApiResponse answer = api_.Handle(r);
    Answer(res, answer.status, answer.body);
    spdlog::debug("api: {} {} {}", req.method, req.path, answer.status);
  };
  server->Get(".*", handle);
  server->Post(".*", handle);
  server->Patch(".*", handle);
  server->Put(".*", handle);  // the API answers 405 for these
  server->Delete(".*", handle);
  return listener_.Start(std::move(server), listen, "api.listen");
}

}  // namespace customsd
