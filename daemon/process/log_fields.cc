#include "daemon/process/log_fields.h"

namespace customsd {
namespace {

thread_local const LogContext* current_context = nullptr;

}  // namespace

LogFields::LogFields(const DeclarationRecord& record, Scope scope) : outer_(current_context) {
  context_.mchid = record.fields.mchid;
  context_.out_trade_no = record.fields.out_trade_no;
  context_.customs = record.fields.customs;
  if (scope == Scope::kDeclaration) {
    context_.declaration_id = record.id;
    context_.sub_order_no = record.fields.sub_order_no;
    context_.state = std::string(ToString(record.state));
  }
  current_context = &context_;
}

LogFields::~LogFields() { current_context = outer_; }

void LogFields::SetState(State state) { context_.state = std::string(ToString(state)); }

const LogContext* LogFields::Current() { return current_context; }

}  // namespace customsd
