#include "tests/mock/mock_server.h"

#include <nlohmann/json.hpp>

#include "tests/mock/mock_sockets.h"

namespace customsd::mock {
namespace {

using Json = nlohmann::ordered_json;

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

StatusOr<std::unique_ptr<MockServer>> MockServer::Create(MockOptions options, const Clock& clock) {
  if (options.prefix.empty() || options.prefix.front() != '/' || options.prefix.back() == '/') {
    return Status::InvalidInput("prefix must start with '/' and not end with it: " +
                                options.prefix);
  }
  if (options.apiv3_key.size() != 32) {
    return Status::InvalidInput("the APIv3 key must be exactly 32 bytes");
  }
  const FaultRates& f = options.faults;
  for (double rate : {f.system_error, f.rate_limited, f.unavailable, f.hang, f.reset, f.truncate,
                      f.bad_signature, f.no_signature, f.sign_test}) {
    if (rate < 0 || rate > 1) return Status::InvalidInput("fault rates must be within 0..1");
  }
  if (f.Total() > 1 + 1e-9) return Status::InvalidInput("fault rates add up to more than 1");
  if (options.mix_fail < 0 || options.mix_except < 0 || options.mix_fail + options.mix_except > 1) {
    return Status::InvalidInput("mix shares must be >= 0 and add up to at most 1");
  }
  if (options.https && (options.tls_cert_file.empty() || options.tls_key_file.empty())) {
    return Status::InvalidInput("https needs a TLS certificate and key file");
  }
  if (options.threads < 2) return Status::InvalidInput("threads must be at least 2");
  if (options.advance_after.count() < 0 || options.hang.count() < 0 ||
      options.latency.count() < 0 || options.keep_alive_seconds < 0) {
    return Status::InvalidInput("durations must not be negative");
  }
  if (options.advance_after_queries < 0) {
    return Status::InvalidInput("advance_after_queries must be >= 0");
  }
  if (options.page_max < 0) return Status::InvalidInput("page_max must be >= 0");
  StatusOr<RequestAuthenticator> auth = RequestAuthenticator::Create(options.merchant_certs);
  if (!auth.ok()) return auth.status();
  StatusOr<ResponseSigner> signer = ResponseSigner::Create(options.platforms);
  if (!signer.ok()) return signer.status();
  return std::unique_ptr<MockServer>(new MockServer(
      std::move(options), clock, std::move(auth).value(), std::move(signer).value()));
}

MockServer::MockServer(MockOptions options, const Clock& clock, RequestAuthenticator auth,
                       ResponseSigner signer)
    : options_(std::move(options)),
      clock_(clock),
      auth_(std::move(auth)),
      signer_(std::move(signer)),
      orders_(OrderRules{options_.seed, options_.advance_after_queries, options_.advance_after,
                         options_.mix_fail, options_.mix_except, options_.bind_transaction_ids}),
      faults_(options_.seed, options_.faults) {}

MockServer::~MockServer() { Stop(); }

StatusOr<int> MockServer::Start() {
  if (server_) return Status::FailedPrecondition("the mock server was already started");
  if (options_.https) {
    server_ = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                   options_.tls_key_file.c_str());
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  if (!server_->is_valid()) {
    return Status::InvalidInput("cannot load the TLS certificate " + options_.tls_cert_file +
                                " or key " + options_.tls_key_file);
  }
  const size_t threads = static_cast<size_t>(options_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_keep_alive_timeout(options_.keep_alive_seconds);
  // cpp-httplib closes a connection after 5 requests by default; WeChat Pay keeps them for
  // many more, and the benchmark should not charge the daemon a reconnect every 5 calls.
  server_->set_keep_alive_max_count(10000);
  // httplib writes an answer's headers and body apart; with Nagle the body waits for the
  // client's delayed ACK, 40 ms per answer on a kept-alive connection, which WeChat does not
  // charge. Accepted sockets inherit the option from the listening one.
  server_->set_tcp_nodelay(true);
  // Everything goes through Dispatch, so unknown paths are answered (and signed) like WeChat.
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(req, res);
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Patch(".*", handler);
  server_->Put(".*", handler);
  server_->Delete(".*", handler);
  server_->Options(".*", handler);

  const int port = options_.port == 0 ? server_->bind_to_any_port(options_.host)
                   : server_->bind_to_port(options_.host, options_.port) ? options_.port
                                                                         : -1;
  if (port <= 0) {
    return Status::IoError("cannot listen on " + options_.host + ":" +
                           std::to_string(options_.port));
  }
  port_ = port;
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    std::lock_guard<std::mutex> lock(stop_mu_);
    listener_done_ = true;
  });
  // The socket already accepts connections (they queue), but httplib's stop() does nothing
  // until its accept loop runs: wait for that, so a Stop() right after Start() cannot be lost.
  while (!server_->is_running()) {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      if (listener_done_) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server_->is_running()) {
    listener_.join();
    return Status::IoError("the mock server stopped right after starting");
  }
  return port;
}

void MockServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    // Once only: the port may belong to another server by the time of a second call.
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (server_) server_->stop();
  if (port_ > 0) ShutdownAcceptedConnections(port_);
  if (listener_.joinable()) listener_.join();
}

std::string MockServer::base_url() const {
  return std::string(options_.https ? "https://" : "http://") + options_.host + ":" +
         std::to_string(port_);
}

bool MockServer::WaitFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  return !stop_cv_.wait_for(lock, d, [this] { return stopping_; });
}

MockStats MockServer::Stats() {
  MockStats s;
  s.orders = orders_.Snapshot(clock_.Now());
  std::lock_guard<std::mutex> lock(stats_mu_);
  for (const auto& [e, st] : endpoint_stats_) s.endpoints[std::string(ToString(e))] = st;
  s.connections = static_cast<int64_t>(connections_.size());
  return s;
}

Endpoint MockServer::Route(const httplib::Request& req) const {
  std::string_view path = req.path;
  if (!path.starts_with(options_.prefix)) return Endpoint::kUnknown;
  path.remove_prefix(options_.prefix.size());
  const std::string& m = req.method;
  if (path == "/customs/orders") {
    if (m == "POST") return Endpoint::kDeclare;
    if (m == "GET") return Endpoint::kQuery;
    if (m == "PATCH") return Endpoint::kModify;
  }
  if (path == "/customs/redeclare" && m == "POST") return Endpoint::kRedeclare;
  if (path == "/customs/verify-certificate" && m == "POST") return Endpoint::kVerifyCertificate;
  if (path == "/certificates" && m == "GET") return Endpoint::kCertificates;
  return Endpoint::kUnknown;
}

MockServer::Decision MockServer::DecideFault(Endpoint e, const std::string& order_key) {
  const bool exempt = e == Endpoint::kCertificates && !options_.faults_on_certificates;
  Decision d;
  d.order_key = order_key;
  d.fault = faults_.Next(ToString(e), order_key, exempt, &d.n);
  if (d.fault != FaultKind::kNone) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++endpoint_stats_[e].faults[std::string(ToString(d.fault))];
  }
  return d;
}

void MockServer::CountStatus(Endpoint e, int status) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  ++endpoint_stats_[e].statuses[status];
  if (status == 401) ++endpoint_stats_[e].sign_errors;
}

MockServer::Reply MockServer::FaultReply(FaultKind kind) {
  switch (kind) {
    case FaultKind::kSystemError:
      return FromError({500, "SYSTEMERROR", "System error, please try again", std::nullopt});
    case FaultKind::kRateLimited:
      return FromError(
          {429, "FREQUENCY_LIMITED", "Frequency limited, please slow down", std::nullopt});
    case FaultKind::kUnavailable:
      return FromError({503, "SERVICE_UNAVAILABLE", "Service unavailable, please try again later",
                        std::nullopt});
    default:
      break;
  }
  return FromError({500, "SYSTEMERROR", "System error", std::nullopt});
}

MockServer::Reply MockServer::NotFoundReply(bool for_query, const std::string& appid,
                                            const std::string& mchid, int64_t offset,
                                            int64_t limit) const {
  Reply reply = NotFoundAnswer(for_query, appid, mchid, offset, limit);
  reply.not_found = true;
  return reply;
}

MockServer::Reply MockServer::NotFoundAnswer(bool for_query, const std::string& appid,
                                             const std::string& mchid, int64_t offset,
                                             int64_t limit) const {
  switch (options_.not_found) {
    case NotFoundStyle::kResourceNotExists404:
      return FromError(
          {404, "RESOURCE_NOT_EXISTS", "Customs declaration record does not exist", std::nullopt});
    case NotFoundStyle::kInvalidRequest400:
      return FromError({400, "INVALID_REQUEST", "record does not exist", std::nullopt});
    case NotFoundStyle::kEmptyData200:
      if (for_query) {
        Json j = {{"appid", appid}, {"mchid", mchid},   {"offset", offset},
                  {"limit", limit}, {"total_count", 0}, {"data", Json::array()}};
        return Reply{200, j.dump()};
      }
      break;
    case NotFoundStyle::kOrderNotExist404:
      break;
  }
  return FromError(
      {404, "ORDER_NOT_EXIST", "Customs declaration record does not exist", std::nullopt});
}

void MockServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  const std::string request_id = "mock-" + std::to_string(next_request_id_++);
  if (req.method == "GET" && req.path == "/mock/stats") {
    res.set_header("Request-ID", request_id);
    res.set_content(Stats().ToJson(), "application/json");
    return;
  }
  // The merchant registers with MockOptions::noauth_customs: its declares there are taken.
  if (req.method == "POST" && req.path == "/mock/register-customs") {
    customs_registered_ = true;
    res.set_header("Request-ID", request_id);
    res.set_content("{}", "application/json");
    return;
  }
  // A webhook sink for customsd's alerts, so the demo needs no other server: POST
  // /mock/webhook records the body, GET /mock/webhook lists what was received.
  if (req.path == "/mock/webhook" && (req.method == "POST" || req.method == "GET")) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    if (req.method == "POST") {
      webhooks_.push_back(req.body);
      res.set_content("{}", "application/json");
    } else {
      std::string list = "[";
      for (size_t i = 0; i < webhooks_.size(); ++i) list += (i ? "," : "") + webhooks_[i];
      res.set_content(list + "]", "application/json");
    }
    return;
  }
  res.set_header("Request-ID", request_id);
  const Endpoint e = Route(req);
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++endpoint_stats_[e].calls;
    connections_.emplace(req.remote_addr, req.remote_port);
  }
  if (options_.latency.count() > 0) WaitFor(options_.latency);
  if (e == Endpoint::kUnknown) {
    Finish(req, res, e,
           FromError({404, "NOT_FOUND",
                      "No API at " + req.method + " " + req.path + " (this server serves " +
                          options_.prefix + ")",
                      std::nullopt}),
           Decision{});
    return;
  }
  const std::string* authorization = nullptr;
  std::string authorization_value;
  if (req.has_header("Authorization")) {
    authorization_value = req.get_header_value("Authorization");
    authorization = &authorization_value;
  }
  ApiResult<std::string> mchid = auth_.Check(req.method, req.target, req.body, authorization,
                                             clock_.Now(), options_.max_clock_skew);
  if (!mchid.ok()) {
    Finish(req, res, e, FromError(mchid.error()), Decision{});
    return;
  }
  if (std::optional<ApiError> scripted = NextScripted(e)) {
    Reply reply = FromError(*scripted);
    reply.verbatim = true;
    Finish(req, res, e, std::move(reply), Decision{});
    return;
  }
  if ((req.method == "POST" || req.method == "PATCH") &&
      !req.get_header_value("Content-Type").starts_with("application/json")) {
    Finish(req, res, e,
           FromError(ParamError("Content-Type", req.get_header_value("Content-Type"),
                                "must be application/json", "header")),
           Decision{FaultKind::kNone, req.target, 0});
    return;
  }
  Decision d;
  Reply reply;
  switch (e) {
    case Endpoint::kDeclare:
      reply = HandleDeclare(req, *mchid, &d);
      break;
    case Endpoint::kQuery:
      reply = HandleQuery(req, *mchid, &d);
      break;
    case Endpoint::kModify:
      reply = HandleModify(req, *mchid, &d);
      break;
    case Endpoint::kRedeclare:
      reply = HandleRedeclare(req, *mchid, &d);
      break;
    case Endpoint::kVerifyCertificate:
      reply = HandleVerifyCertificate(req, *mchid, &d);
      break;
    case Endpoint::kCertificates:
      reply = HandleCertificates(req, *mchid, &d);
      break;
    case Endpoint::kUnknown:
      break;
  }
  Finish(req, res, e, std::move(reply), d);
}

void MockServer::Finish(const httplib::Request& req, httplib::Response& res, Endpoint e,
                        Reply reply, const Decision& d) {
  Shape(e, d, &reply);
  const FaultKind fault = d.fault;
  CountStatus(e, reply.status);
  // The request has been applied; now the answer is lost past the client's timeout. The wait
  // ends early on Stop(), so a test never waits for a hang to run out.
  if (fault == FaultKind::kHang) WaitFor(options_.hang);
  res.status = reply.status;
  for (auto& [name, value] : signer_.Sign(reply.body, UnixSeconds(clock_.Now()), fault)) {
    res.set_header(name, value);
  }
  if (fault == FaultKind::kReset) {
    ResetConnection(req);
  } else if (fault == FaultKind::kTruncate) {
    // Content-Length promises the whole (signed) body; half of it is sent, then the connection
    // closes (httplib closes it when the provider fails).
    auto body = std::make_shared<std::string>(reply.body);
    res.set_content_provider(body->size(), "application/json",
                             [body](size_t, size_t, httplib::DataSink& sink) {
                               sink.write(body->data(), body->size() / 2);
                               return false;
                             });
    return;
  }
  res.set_content(reply.body, "application/json");
}

}  // namespace customsd::mock
