#include "daemon/service/api_service.h"

#include <spdlog/spdlog.h>

#include "daemon/config/intake_options.h"
#include "daemon/process/open_database.h"

namespace customsd {

StatusOr<std::unique_ptr<ApiService>> ApiService::Start(const Config& config, const Clock& clock,
                                                        std::function<void()> on_new_work,
                                                        TransactionWriter& intake_writer,
                                                        const MerchantHolds& holds) {
  const Config::Api& a = config.api;
  if (a.listen.empty()) return std::unique_ptr<ApiService>();
  std::unique_ptr<ApiService> s(new ApiService());
  s->tokens_ = std::make_unique<ApiTokens>(a.token_file);
  CUSTOMSD_RETURN_IF_ERROR(s->tokens_->Reload());
  auto db = OpenDatabaseFor(config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return db.status();
  s->db_ = std::move(db).value();
  s->api_ = std::make_unique<DeclarationsApi>(
      *s->db_, clock,
      DeclarationsApi::Options{IntakeOptionsFor(config, IntakeFormat::kJsonLines),
                               std::move(on_new_work), &intake_writer,
                               [&holds] { return holds.List(); }});
  ApiServerOptions options;
  options.max_body_bytes = static_cast<size_t>(a.max_body_mb) << 20;
  options.tls_cert_file = a.tls_cert_file;
  options.tls_key_file = a.tls_key_file;
  options.console = a.console;
  s->server_ = std::make_unique<ApiServer>(*s->api_, *s->tokens_, options);
  auto port = s->server_->Start(a.listen);
  if (!port.ok()) return port.status();
  spdlog::info("api listening on port {} ({}{}; /v1/declarations, /v1/openapi.json{})", *port,
               a.listen, a.tls_cert_file.empty() ? "" : ", TLS",
               a.console ? ", the console at /console/" : "");
  return s;
}

ApiService::~ApiService() {
  if (server_) server_->Stop();  // before the API and the connection it uses go
}

void ApiService::ReloadTokens() {
  if (Status s = tokens_->Reload(); !s.ok()) {
    spdlog::error("{}; the tokens read before stay in force", s.message());
  } else {
    spdlog::info("api.token_file read again");
  }
}

}  // namespace customsd
