// CertificateCache: the last good platform certificates of each merchant, in the database.
// Save() replaces a merchant's whole set in one transaction; Load() returns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/database.h"

namespace customsd {

struct CachedCertificate {
  std::string serial_no;
  std::optional<int64_t> effective_at;  // Unix ms
  int64_t expire_at = 0;                // Unix ms
  std::string certificate_pem;
};

class CertificateCache {
 public:
  explicit CertificateCache(Database& db) : db_(db) {}

  Status Save(const std::string& mchid, const std::vector<CachedCertificate>& certificates,
              int64_t now_ms);
  StatusOr<std::vector<CachedCertificate>> Load(const std::string& mchid);

 private:
  Database& db_;
};

}  // namespace customsd
