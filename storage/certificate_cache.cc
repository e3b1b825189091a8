#include "storage/certificate_cache.h"

#include <SQLiteCpp/Statement.h>

namespace customsd {

Status CertificateCache::Save(const std::string& mchid,
                              const std::vector<CachedCertificate>& certificates,
                              int64_t now_ms) {
  return db_.Write([&](SQLite::Database& sql) {
    SQLite::Statement del(sql, "DELETE FROM platform_certificates WHERE mchid = ?");
    del.bind(1, mchid);
    del.exec();
    SQLite::Statement ins(sql,
                          "INSERT INTO platform_certificates (mchid, serial_no, effective_at, "
                          "expire_at, certificate_pem, fetched_at) VALUES (?, ?, ?, ?, ?, ?)");
    for (const CachedCertificate& c : certificates) {
      ins.bind(1, mchid);
      ins.bind(2, c.serial_no);
      if (c.effective_at) {
        ins.bind(3, *c.effective_at);
      } else {
        ins.bind(3);
      }
      ins.bind(4, c.expire_at);
      ins.bind(5, c.certificate_pem);
      ins.bind(6, now_ms);
      ins.exec();
      ins.reset();
    }
    return Status::Ok();
  });
}

StatusOr<std::vector<CachedCertificate>> CertificateCache::Load(const std::string& mchid) {
  std::vector<CachedCertificate> out;
  Status s = db_.Read([&](SQLite::Database& sql) {
    SQLite::Statement q(sql,
                        "SELECT serial_no, effective_at, expire_at, certificate_pem FROM "
                        "platform_certificates WHERE mchid = ? ORDER BY expire_at");
    q.bind(1, mchid);
    while (q.executeStep()) {
      CachedCertificate c;
      c.serial_no = q.getColumn(0).getString();
      if (!q.getColumn(1).isNull()) c.effective_at = q.getColumn(1).getInt64();
      c.expire_at = q.getColumn(2).getInt64();
      c.certificate_pem = q.getColumn(3).getString();
      out.push_back(std::move(c));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace customsd
