// JournalSink: an spdlog sink that writes each log line as one systemd journal entry with
// structured fields, through sd_journal_sendv(3). SetUpLogging uses it in place of stdout when
// stdout is a journald stream, so every line is written once.
//
// Why not spdlog's own systemd_sink: in spdlog 1.10 (Debian 12) it sends a fixed set of fields
// (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and the source location) with no way to add others, and
// it throws when a send fails. This sink adds the thread's LogFields (log_fields.h) and never
// throws.
//
// One entry per line:
//   MESSAGE=<the formatted line>   the sink's formatter (MakeLogger: redacted, one line)
//   PRIORITY=<0-7>                 SyslogPriority(level): 7 trace/debug ... 2 critical
//   SYSLOG_IDENTIFIER=customsd
//   DECLARATION_ID= MCHID= OUT_TRADE_NO= SUB_ORDER_NO= CUSTOMS= STATE=
//                                  from LogFields::Current(), those that are set, with their
//                                  control characters escaped like the message's
//
// Failure: when the send fails (journald gone, socket refused), the line goes to stderr as
// "<priority>message" (the sd-daemon(3) prefix, as a journald stream reads it), so nothing is
// lost and logging never stops the daemon.
//
// Thread safety: spdlog calls the sink under its mutex; the send function must be callable from
// any thread (sd_journal_sendv is).
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <sys/uio.h>

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/process/log_fields.h"

namespace customsd {

// The fields of one entry, each "NAME=value", in the order above.
std::vector<std::string> JournalFields(std::string_view message, spdlog::level::level_enum level,
                                       const LogContext* context);

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // sd_journal_sendv's shape: 0 on success, a negative errno on failure.
  using Send = std::function<int(const struct iovec* fields, int count)>;

  // `send` defaults to sd_journal_sendv; tests pass a fake.
  explicit JournalSink(Send send = {});

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  Send send_;
};

}  // namespace customsd
