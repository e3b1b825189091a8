#include "daemon/process/log_journal.h"

#include <systemd/sd-journal.h>
#include <unistd.h>

#include <utility>

#include "daemon/process/logging.h"

namespace customsd {
namespace {

void AddField(std::vector<std::string>& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  std::string field(name);
  field += '=';
  field += EscapeControlCharacters(value);
  out.push_back(std::move(field));
}

int SendToJournal(const struct iovec* fields, int count) {
  // The parentheses call the function itself: the sd_journal_sendv macro would add this file
  // and line as every entry's CODE_FILE and CODE_LINE.
  return (sd_journal_sendv)(fields, count);
}

}  // namespace

std::vector<std::string> JournalFields(std::string_view message, spdlog::level::level_enum level,
                                       const LogContext* context) {
  std::vector<std::string> out;
  out.push_back("MESSAGE=" + std::string(message));
  out.push_back("PRIORITY=" + std::to_string(SyslogPriority(level)));
  out.push_back("SYSLOG_IDENTIFIER=customsd");
  if (context == nullptr) return out;
  if (context->declaration_id != 0) {
    out.push_back("DECLARATION_ID=" + std::to_string(context->declaration_id));
  }
  AddField(out, "MCHID", context->mchid);
  AddField(out, "OUT_TRADE_NO", context->out_trade_no);
  AddField(out, "SUB_ORDER_NO", context->sub_order_no);
  AddField(out, "CUSTOMS", context->customs);
  AddField(out, "STATE", context->state);
  return out;
}

JournalSink::JournalSink(Send send) : send_(send ? std::move(send) : Send(SendToJournal)) {}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  std::string_view message(formatted.data(), formatted.size());
  while (!message.empty() && message.back() == '\n') message.remove_suffix(1);

  const std::vector<std::string> fields = JournalFields(message, msg.level, LogFields::Current());
  std::vector<struct iovec> iov;
  iov.reserve(fields.size());
  for (const std::string& f : fields) {
    iov.push_back({const_cast<char*>(f.data()), f.size()});
  }
  if (send_(iov.data(), static_cast<int>(iov.size())) >= 0) return;

  std::string line = "<" + std::to_string(SyslogPriority(msg.level)) + ">";
  line.append(message);
  line += '\n';
  // Best effort: there is nowhere left to report a failed write of a log line.
  [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace customsd
