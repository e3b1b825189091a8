// LogFields: the declaration a thread is working on, as structured fields of its log lines.
//
// The workflow opens a scope around each declaration's step (`LogFields scope(record);`). Every
// line the thread logs meanwhile, from whichever file, is sent to the journal (JournalSink,
// log_journal.h) with DECLARATION_ID=, MCHID=, OUT_TRADE_NO=, SUB_ORDER_NO= (split orders
// only), CUSTOMS= and STATE=, so `journalctl -u customsd OUT_TRADE_NO=...` finds one order's
// story. Lines written outside the journal do not show the fields: their text already names
// the declaration.
//
// Contract:
//  - A scope lasts from its construction to its destruction. Scopes nest: an inner scope's
//    fields replace the outer's until it ends, then the outer's are back.
//  - The context is per thread (thread_local): a scope is seen only by the thread that opened
//    it, so worker threads never mix their declarations. Open and close a scope on one thread
//    (it is neither copyable nor movable, so it stays in its block).
//  - Only the declaration's key and state are kept: no amounts, no WeChat answers.
#pragma once

#include <cstdint>
#include <string>

#include "common/declaration_state.h"
#include "storage/declaration_record.h"

namespace customsd {

// What the current scope says; empty strings and id 0 are fields left out.
struct LogContext {
  int64_t declaration_id = 0;
  std::string mchid;
  std::string out_trade_no;
  std::string sub_order_no;
  std::string customs;
  std::string state;
};

class LogFields {
 public:
  // kDeclaration: every field of `record`. kOrder: the order `record` belongs to (MCHID,
  // OUT_TRADE_NO, CUSTOMS), for a step that serves several sub-orders at once (one query).
  enum class Scope { kDeclaration, kOrder };

  explicit LogFields(const DeclarationRecord& record, Scope scope = Scope::kDeclaration);
  ~LogFields();
  LogFields(const LogFields&) = delete;
  LogFields& operator=(const LogFields&) = delete;

  // The declaration's state changed within the scope: later lines carry the new one.
  void SetState(State state);

  // The innermost open scope of this thread, or nullptr when there is none.
  static const LogContext* Current();

 private:
  LogContext context_;
  const LogContext* outer_;
};

}  // namespace customsd
