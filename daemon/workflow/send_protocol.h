// The send protocol: how a declare, a modification or a re-push goes to WeChat Pay so that
// none is lost and none goes twice with different content. JobRunner::Send runs it for all
// three (send_protocol.cc); a SendSteps says what differs between them.
//
// Durability contract:
//  1. A doubtful last send (check_first set: a crash, a power loss or an unknown outcome came
//     between the attempt and its answer) is queried first. When WeChat's record shows that
//     send arrived (SendSteps::arrived), its report is recorded and nothing is sent; when
//     WeChat does not have the declaration, it is sent again; any other outcome of the query
//     keeps the doubt and is retried with backoff. So a declare is resent only when WeChat
//     does not have it, a modification only when WeChat does not show the new values, a
//     re-push only when the declaration is still EXCEPT.
//  2. Before the request goes out, the attempt is committed and synced to disk (attempts + 1,
//     check_first set, its event): the request is never sent unrecorded.
//  3. The request is sent.
//  4. The answer commits with the state change (and its alert) in one guarded transaction,
//     without waiting for the disk (Durability::kLazy: a power loss may undo it, a crash of
//     the process does not; either way check_first is still set, and step 1 repairs it).
// Content: a declaration whose fields differ from what WeChat accepted is never sent (the
// caller checks that first: FieldsChangedSinceAccepted, accepted_content.h).
#pragma once

#include <functional>
#include <string>

#include "storage/declaration_record.h"
#include "wechatpay/customs_client.h"

namespace customsd {

struct SendSteps {
  std::string sent_kind;  // step 2's event: "declare_sent", "modify_sent", "redeclare_sent"
  // Step 1: whether WeChat's record of the declaration shows the doubtful send arrived.
  std::function<bool(const QueryRecord&)> arrived;
  bool counts_redeclare = false;  // an arrived re-push counts as one (redeclares + 1)
  // Step 3.
  std::function<ApiResult<DeclarationStatus>(CustomsClient&)> send;
  // Step 4, given the declaration as step 2 left it.
  std::function<void(const DeclarationRecord& sending, const ApiResult<DeclarationStatus>&)>
      answered;
};

}  // namespace customsd
