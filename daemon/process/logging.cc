#include "daemon/process/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <string>
#include <utility>

#include "daemon/process/log_journal.h"

namespace customsd {
namespace {

constexpr std::string_view kRedacted = "[REDACTED]";

// The sd-daemon(3) prefix for a level: "<6>" for info.
std::string SyslogPrefix(spdlog::level::level_enum level) {
  return "<" + std::to_string(SyslogPriority(level)) + ">";
}

// %* : the syslog priority prefix.
class PriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string prefix = SyslogPrefix(msg.level);
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PriorityFlag>();
  }
};

// %& : the message, redacted and on one line. Used instead of %v, which copies it as is.
class SafeMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string safe =
        EscapeControlCharacters(RedactSecrets(std::string(msg.payload.data(), msg.payload.size())));
    dest.append(safe.data(), safe.data() + safe.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SafeMessageFlag>();
  }
};

size_t FindCaseInsensitive(std::string_view text, std::string_view lower_needle, size_t from) {
  if (lower_needle.size() > text.size()) return std::string::npos;
  for (size_t i = from; i + lower_needle.size() <= text.size(); ++i) {
    size_t k = 0;
    while (k < lower_needle.size() &&
           std::tolower(static_cast<unsigned char>(text[i + k])) == lower_needle[k]) {
      ++k;
    }
    if (k == lower_needle.size()) return i;
  }
  return std::string::npos;
}

size_t SkipBlanks(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return i;
}

// Where the header value starting at `begin` ends: at the closing quote when it opens with
// one (a backslash escapes the next character, as in JSON), else at the end of the line.
// Sets *value_begin past an opening quote.
size_t AuthorizationValueEnd(std::string_view text, size_t begin, size_t* value_begin) {
  *value_begin = begin;
  if (begin < text.size() && (text[begin] == '"' || text[begin] == '\'')) {
    const char quote = text[begin];
    size_t i = *value_begin = begin + 1;
    while (i < text.size() && text[i] != quote) i += text[i] == '\\' ? 2 : 1;
    return std::min(i, text.size());
  }
  const size_t eol = text.find_first_of("\r\n", begin);
  return eol == std::string::npos ? text.size() : eol;
}

std::string RedactAuthorization(const std::string& in) {
  static constexpr std::string_view kName = "authorization";
  std::string out;
  size_t copied = 0;  // in[0, copied) is in `out` already
  size_t pos = 0;
  while ((pos = FindCaseInsensitive(in, kName, pos)) != std::string::npos) {
    size_t i = pos + kName.size();
    if (i < in.size() && (in[i] == '"' || in[i] == '\'')) ++i;  // a quoted JSON key
    i = SkipBlanks(in, i);
    if (i >= in.size() || (in[i] != ':' && in[i] != '=')) {
      pos += kName.size();  // prose such as "authorization failed"
      continue;
    }
    size_t value_begin = 0;
    const size_t value_end = AuthorizationValueEnd(in, SkipBlanks(in, i + 1), &value_begin);
    if (value_end > value_begin) {
      out.append(in, copied, value_begin - copied);
      out += kRedacted;
      copied = value_end;
    }
    pos = std::max(value_end, pos + kName.size());
  }
  if (copied == 0) return in;
  out.append(in, copied);
  return out;
}

std::string RedactPemBlocks(const std::string& in) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  static constexpr std::string_view kEnd = "-----END ";
  static constexpr std::string_view kDashes = "-----";
  std::string out;
  size_t copied = 0;
  size_t pos = 0;
  while ((pos = in.find(kBegin, pos)) != std::string::npos) {
    // The body starts after the BEGIN line's closing dashes; a mangled BEGIN line without
    // them is masked from right after "-----BEGIN ".
    const size_t label_end = in.find(kDashes, pos + kBegin.size());
    const size_t body =
        label_end == std::string::npos ? pos + kBegin.size() : label_end + kDashes.size();
    size_t body_end = in.find(kEnd, body);
    if (body_end == std::string::npos) body_end = in.size();
    out.append(in, copied, body - copied);
    out += kRedacted;
    copied = body_end;
    pos = body_end == in.size() ? body_end : body_end + kEnd.size();
  }
  if (copied == 0) return in;
  out.append(in, copied);
  return out;
}

}  // namespace

int SyslogPriority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 7;  // LOG_DEBUG
    case spdlog::level::info:
      return 6;  // LOG_INFO
    case spdlog::level::warn:
      return 4;  // LOG_WARNING
    case spdlog::level::err:
      return 3;  // LOG_ERR
    default:
      return 2;  // LOG_CRIT
  }
}

StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> kLevels = {
      {{"trace", spdlog::level::trace},
       {"debug", spdlog::level::debug},
       {"info", spdlog::level::info},
       {"warn", spdlog::level::warn},
       {"error", spdlog::level::err},
       {"critical", spdlog::level::critical},
       {"off", spdlog::level::off}}};
  for (const auto& [key, level] : kLevels) {
    if (key == name) return level;
  }
  return Status::InvalidInput(
      "log.level: must be one of trace, debug, info, warn, error, critical, off");
}

bool StdoutIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr || *stream == '\0') return false;
  struct stat st;
  if (::fstat(STDOUT_FILENO, &st) != 0) return false;
  // "<device>:<inode>", both decimal.
  const std::string expected = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
                               std::to_string(static_cast<unsigned long long>(st.st_ino));
  return expected == stream;
}

LogFormat DetectLogFormat() {
  return StdoutIsJournal() ? LogFormat::kJournal : LogFormat::kTerminal;
}

std::shared_ptr<spdlog::logger> MakeLogger(spdlog::sink_ptr sink, spdlog::level::level_enum level,
                                           LogFormat format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc,
                                                               std::string("\n"));
  formatter->add_flag<PriorityFlag>('*').add_flag<SafeMessageFlag>('&');
  switch (format) {
    case LogFormat::kTerminal: formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %&"); break;
    case LogFormat::kJournal: formatter->set_pattern("%*%l %&"); break;
    case LogFormat::kJournalEntry: formatter->set_pattern("%l %&"); break;
  }
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>("customsd", std::move(sink));
  logger->set_level(level);
  return logger;
}

Status SetUpLogging(std::string_view level) {
  StatusOr<spdlog::level::level_enum> parsed = ParseLogLevel(level);
  if (!parsed.ok()) return parsed.status();
  if (DetectLogFormat() == LogFormat::kJournal) {
    spdlog::set_default_logger(
        MakeLogger(std::make_shared<JournalSink>(), *parsed, LogFormat::kJournalEntry));
  } else {
    spdlog::set_default_logger(MakeLogger(std::make_shared<spdlog::sinks::stdout_sink_mt>(),
                                          *parsed, LogFormat::kTerminal));
  }
  return Status::Ok();
}

Status SetLogLevel(std::string_view level) {
  StatusOr<spdlog::level::level_enum> parsed = ParseLogLevel(level);
  if (!parsed.ok()) return parsed.status();
  spdlog::default_logger()->set_level(*parsed);
  return Status::Ok();
}

std::string RedactSecrets(std::string text) { return RedactAuthorization(RedactPemBlocks(text)); }

std::string EscapeControlCharacters(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

}  // namespace customsd
