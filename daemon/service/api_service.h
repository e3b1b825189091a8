// The declarations API inside `customsd run`: its own database connection (reads and operator
// changes; posts commit through the engine's GroupWriter), the tokens, the server. Started
// after the workers (a declaration it stores is picked up at once, through `on_new_work`), stopped
// before them.
#pragma once

#include <functional>
#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "daemon/api/api_server.h"
#include "daemon/config/config.h"
#include "daemon/workflow/merchant_holds.h"
#include "storage/database.h"

namespace customsd {

class ApiService {
 public:
  // Null (and ok) when api.listen is "". Errors name the api.* key at fault.
  // Posts commit through `intake_writer` (the engine's); GET /v1/stats lists `holds` (the
  // engine's). Both must outlive the service.
  static StatusOr<std::unique_ptr<ApiService>> Start(const Config& config, const Clock& clock,
                                                     std::function<void()> on_new_work,
                                                     TransactionWriter& intake_writer,
                                                     const MerchantHolds& holds);
  ~ApiService();

  // SIGHUP: reads api.token_file again; on failure the tokens in force stay and it says why.
  void ReloadTokens();
  int port() const { return server_->port(); }

 private:
  ApiService() = default;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ApiTokens> tokens_;
  std::unique_ptr<DeclarationsApi> api_;
  std::unique_ptr<ApiServer> server_;
};

}  // namespace customsd
