// The endpoints of MockServer. Each one: find the order key, decide the fault (a refusing fault
// answers without touching anything), validate as WeChat does, apply, answer in WeChat's shape.
#include <nlohmann/json.hpp>

#include "tests/mock/mock_freedoms.h"
#include "tests/mock/mock_server.h"
#include "wechatpay/certificate_decryptor.h"
#include "wechatpay/sensitive_field.h"
#include "wechatpay/signer.h"

namespace customsd::mock {
namespace {

using Json = nlohmann::ordered_json;

// The body parsed without judging it: only to name the order for counters and fault decisions,
// before validation (a malformed request is still some order's request).
nlohmann::json Loose(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string Str(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

ApiError MchidMismatch(const std::string& mchid, const char* location) {
  return ParamError("mchid", mchid, "does not match the mchid of the Authorization header",
                    location);
}

// The fields every declaration answer starts with.
Json RecordHead(const OrderRecord& r) {
  const DeclarationFields& f = r.fields;
  Json j = {{"appid", f.appid},
            {"mchid", f.mchid},
            {"state", ToString(r.state)},
            {"out_trade_no", f.out_trade_no},
            {"transaction_id", f.transaction_id}};
  if (!f.sub_order_no.empty()) {
    j["sub_order_no"] = f.sub_order_no;
    j["sub_order_id"] = r.sub_order_id;
  }
  return j;
}

Json DeclareAnswer(const OrderRecord& r) {
  Json j = RecordHead(r);
  j["verify_department"] = r.verify_department;
  j["verify_department_trade_id"] = r.verify_department_trade_id;
  return j;
}

// One data[] item of a query answer. Optional amounts are left out when the declaration did not
// carry them, as WeChat leaves out what it does not have.
Json QueryItem(const OrderRecord& r) {
  const DeclarationFields& f = r.fields;
  Json j = Json::object();
  if (!f.sub_order_no.empty()) {
    j["sub_order_no"] = f.sub_order_no;
    j["sub_order_id"] = r.sub_order_id;
  }
  j["mch_customs_no"] = f.merchant_customs_no;  // sic: not merchant_customs_no
  j["customs"] = f.customs;
  if (f.fee_type) j["fee_type"] = *f.fee_type;
  if (f.order_fee) j["order_fee"] = *f.order_fee;
  if (f.duty) j["duty"] = *f.duty;
  if (f.transport_fee) j["transport_fee"] = *f.transport_fee;
  if (f.product_fee) j["product_fee"] = *f.product_fee;
  j["state"] = ToString(r.state);
  if (!r.explanation.empty()) j["explanation"] = r.explanation;
  j["modify_time"] = FormatWechatTime(r.modify_time);
  return j;
}

}  // namespace

MockServer::Reply MockServer::HandleDeclare(const httplib::Request& req, const std::string& mchid,
                                            Decision* d) {
  const nlohmann::json loose = Loose(req.body);
  const DeclarationKey key{Str(loose, "mchid"), Str(loose, "out_trade_no"),
                           Str(loose, "sub_order_no"), Str(loose, "customs")};
  if (!key.out_trade_no.empty()) orders_.NoteDeclareReceived(key);
  *d = DecideFault(Endpoint::kDeclare, key.ToString());
  if (RefusesRequest(d->fault)) return FaultReply(d->fault);

  ApiResult<DeclarationFields> f = ValidateDeclare(req.body);
  if (!f.ok()) return FromError(f.error());
  if (f->mchid != mchid) return FromError(MchidMismatch(f->mchid, "body"));
  if (auto refusal = OrderBook::MarkerRefusal(*f)) return FromError(*refusal);
  if (!options_.noauth_customs.empty() && f->customs == options_.noauth_customs &&
      !customs_registered_) {
    return FromError({403, "NOAUTH", "The merchant has not registered with the current customs",
                      std::nullopt});
  }
  ApiResult<OrderRecord> rec = orders_.Declare(*f, clock_.Now());
  if (!rec.ok()) return FromError(rec.error());
  return Reply{200, DeclareAnswer(*rec).dump()};
}

MockServer::Reply MockServer::HandleQuery(const httplib::Request& req, const std::string& mchid,
                                          Decision* d) {
  const std::string order_type = Param(req, "order_type");
  const std::string order_no = Param(req, "order_no");
  const std::string key =
      order_type == "out_trade_no"
          ? DeclarationKey{Param(req, "mchid"), order_no, "", Param(req, "customs")}.ToString()
          : Param(req, "mchid") + "/" + order_type + ":" + order_no + "/" + Param(req, "customs");
  *d = DecideFault(Endpoint::kQuery, key);
  if (RefusesRequest(d->fault)) return FaultReply(d->fault);

  ApiResult<QueryRequest> q = ValidateQuery(req.params);
  if (!q.ok()) return FromError(q.error());
  if (q->mchid != mchid) return FromError(MchidMismatch(q->mchid, "query"));
  // The server's own page size: only the records on the page count as queried.
  q->limit = PageLimit(options_, q->limit);
  OrderBook::QueryResult result = orders_.Query(*q, clock_.Now());
  if (result.total_count == 0) return NotFoundReply(true, q->appid, q->mchid, q->offset, q->limit);

  const OrderRecord& first = result.first;
  Json j = {{"appid", first.fields.appid},
            {"mchid", first.fields.mchid},
            {"transaction_id", first.fields.transaction_id},
            {"verify_department", first.verify_department},
            {"verify_department_trade_id", first.verify_department_trade_id},
            {"offset", q->offset},
            {"limit", q->limit},
            {"total_count", result.total_count},
            {"data", Json::array()}};
  for (const OrderRecord& r : result.page) j["data"].push_back(QueryItem(r));
  return Reply{200, j.dump()};
}

MockServer::Reply MockServer::HandleModify(const httplib::Request& req, const std::string& mchid,
                                           Decision* d) {
  const nlohmann::json loose = Loose(req.body);
  const DeclarationKey key{Str(loose, "mchid"), Str(loose, "out_trade_no"),
                           Str(loose, "sub_order_no"), Str(loose, "customs")};
  *d = DecideFault(Endpoint::kModify, key.ToString());
  if (RefusesRequest(d->fault)) return FaultReply(d->fault);

  ApiResult<ModifyRequest> m = ValidateModify(req.body);
  if (!m.ok()) return FromError(m.error());
  if (m->mchid != mchid) return FromError(MchidMismatch(m->mchid, "body"));
  std::optional<ApiResult<OrderRecord>> rec = orders_.Modify(*m, clock_.Now());
  if (!rec) return NotFoundReply(false, m->appid, m->mchid, 0, 0);
  if (!rec->ok()) return FromError(rec->error());
  Json j = DeclareAnswer(rec->value());
  j["modify_time"] = FormatWechatTime(rec->value().modify_time);
  return Reply{200, j.dump()};
}

MockServer::Reply MockServer::HandleRedeclare(const httplib::Request& req, const std::string& mchid,
                                              Decision* d) {
  const nlohmann::json loose = Loose(req.body);
  std::string order = Str(loose, "out_trade_no");
  if (order.empty()) order = "transaction_id:" + Str(loose, "transaction_id");
  std::string sub = Str(loose, "sub_order_no");
  if (sub.empty() && !Str(loose, "sub_order_id").empty()) {
    sub = "sub_order_id:" + Str(loose, "sub_order_id");
  }
  const DeclarationKey key{Str(loose, "mchid"), order, sub, Str(loose, "customs")};
  *d = DecideFault(Endpoint::kRedeclare, key.ToString());
  if (RefusesRequest(d->fault)) return FaultReply(d->fault);

  ApiResult<RedeclareRequest> r = ValidateRedeclare(req.body);
  if (!r.ok()) return FromError(r.error());
  if (r->mchid != mchid) return FromError(MchidMismatch(r->mchid, "body"));
  std::optional<ApiResult<OrderRecord>> rec = orders_.Redeclare(*r, clock_.Now());
  if (!rec) return NotFoundReply(false, r->appid, r->mchid, 0, 0);
  if (!rec->ok()) return FromError(rec->error());
  Json j = RecordHead(rec->value());
  j["modify_time"] = FormatWechatTime(rec->value().modify_time);
  if (!rec->value().explanation.empty()) j["explanation"] = rec->value().explanation;
  return Reply{200, j.dump()};
}

MockServer::Reply MockServer::HandleVerifyCertificate(const httplib::Request& req,
                                                      const std::string& mchid, Decision* d) {
  const nlohmann::json loose = Loose(req.body);
  const DeclarationKey key{Str(loose, "mchid"), Str(loose, "out_trade_no"),
                           Str(loose, "sub_order_no"), Str(loose, "customs")};
  *d = DecideFault(Endpoint::kVerifyCertificate, key.ToString());
  if (RefusesRequest(d->fault)) return FaultReply(d->fault);

  // The header says which platform key the identity fields were encrypted for.
  if (!req.has_header("Wechatpay-Serial")) {
    return FromError(ParamError("Wechatpay-Serial", "",
                                "is required: the serial of the platform certificate whose "
                                "public key encrypted the identity fields",
                                "header"));
  }
  const std::string serial = req.get_header_value("Wechatpay-Serial");
  const ResponseSigner::Platform* platform = signer_.Find(serial);
  if (platform == nullptr) {
    return FromError(ParamError("Wechatpay-Serial", serial,
                                "is not the serial of a platform certificate", "header"));
  }
  ApiResult<VerifyCertificateRequest> v = ValidateVerifyCertificate(req.body);
  if (!v.ok()) return FromError(v.error());
  if (v->mchid != mchid) return FromError(MchidMismatch(v->mchid, "body"));
  StatusOr<std::string> id = DecryptSensitiveField(platform->private_key.get(), v->certificate_id);
  if (!id.ok() || id->empty()) {
    return FromError(ParamError("certificate_id", v->certificate_id,
                                "cannot be decrypted with the platform private key "
                                "(RSAES-PKCS1-v1_5, then base64)"));
  }
  StatusOr<std::string> name =
      DecryptSensitiveField(platform->private_key.get(), v->certificate_name);
  if (!name.ok() || name->empty()) {
    return FromError(ParamError("certificate_name", v->certificate_name,
                                "cannot be decrypted with the platform private key "
                                "(RSAES-PKCS1-v1_5, then base64)"));
  }
  Json j = {{"appid", v->appid},
            {"mchid", v->mchid},
            {"out_trade_no", v->out_trade_no},
            {"transaction_id", v->transaction_id}};
  if (!v->sub_order_no.empty()) j["sub_order_no"] = v->sub_order_no;
  j["customs"] = v->customs;
  j["merchant_customs_no"] = v->merchant_customs_no;
  // WeChat compares with the identity on file; the mock's "file" differs for names with DIFF.
  j["certificate_check_result"] = name->find("DIFF") != std::string::npos ? "DIFFERENT" : "SAME";
  return Reply{200, j.dump()};
}

MockServer::Reply MockServer::HandleCertificates(const httplib::Request& /*req*/,
                                                 const std::string& mchid, Decision* d) {
  *d = DecideFault(Endpoint::kCertificates, mchid);
  if (RefusesRequest(d->fault)) return FaultReply(d->fault);

  Json j = {{"data", Json::array()}};
  for (const ResponseSigner::Platform& p : signer_.platforms()) {
    const std::string nonce = NewNonce().substr(0, 12);  // WeChat's nonces here are 12 chars
    StatusOr<std::string> ciphertext =
        EncryptAes256Gcm(options_.apiv3_key, nonce, "certificate", p.cert.pem);
    if (!ciphertext.ok()) {
      return FromError(
          {500, "SYSTEMERROR", "mock: cannot encrypt the platform certificate", std::nullopt});
    }
    j["data"].push_back({{"serial_no", p.cert.serial},
                         {"effective_time", FormatWechatTime(p.cert.not_before)},
                         {"expire_time", FormatWechatTime(p.cert.not_after)},
                         {"encrypt_certificate",
                          {{"algorithm", "AEAD_AES_256_GCM"},
                           {"nonce", nonce},
                           {"associated_data", "certificate"},
                           {"ciphertext", *ciphertext}}}});
  }
  return Reply{200, j.dump()};
}

}  // namespace customsd::mock
