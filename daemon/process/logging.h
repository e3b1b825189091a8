// Logging for `customsd run`: one spdlog logger, one line per event.
//
// Where the lines go, chosen by where stdout goes:
//  - a terminal or file: stdout, "2025-01-31T08:00:00.123Z info message" (UTC, RFC 3339);
//  - journald (StdoutIsJournal): straight to the journal, one entry per line with structured
//    fields (JournalSink, log_journal.h: PRIORITY=, and the declaration's DECLARATION_ID=,
//    OUT_TRADE_NO=, ... from LogFields), text "info message"; nothing is written to stdout,
//    so no line is doubled. No timestamp: journald stamps every entry itself.
// The kJournal format ("<6>info message", the sd-daemon(3) priority prefix: <7> trace/debug,
// <6> info, <4> warn, <3> error, <2> critical) is for a stream journald reads as such.
//
// Every message goes through RedactSecrets() and then has its control characters escaped
// ("\n" becomes the two characters \n), so one event is always one line: a multi-line message
// cannot split into several journal entries, and text from outside (a WeChat error message, a
// file name) cannot forge a log line.
//
// Redaction is defence in depth, not permission: callers must never log secrets (private keys,
// the APIv3 key, Authorization headers, webhook URLs, decrypted fields) in the first place.
// RedactSecrets only catches the two shapes that are easy to recognise if one slips through.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace customsd {

// kTerminal: time, level, message. kJournal: priority prefix, level, message (a journald
// stream). kJournalEntry: level, message (the journal's PRIORITY field carries the priority).
enum class LogFormat { kTerminal, kJournal, kJournalEntry };

// The syslog priority of a level: 7 trace and debug, 6 info, 4 warn, 3 error, 2 critical.
int SyslogPriority(spdlog::level::level_enum level);

// The config's log.level: trace, debug, info, warn, error, critical or off. Anything else
// (including spdlog's own aliases "warning" and "err") is kInvalidInput, so a typo cannot
// silently turn logging off.
StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view name);

// True when stdout is a journald stream: $JOURNAL_STREAM is set and names the device and inode
// of stdout, as systemd.exec(5) advises. The variable alone is not enough: it is inherited by
// every child, including ones whose stdout was redirected to a file or a pipe.
bool StdoutIsJournal();

// kJournal when StdoutIsJournal(), else kTerminal.
LogFormat DetectLogFormat();

// A logger named "customsd" writing to `sink` in `format` at `level`. Used by SetUpLogging and
// by tests (with an ostream sink).
std::shared_ptr<spdlog::logger> MakeLogger(spdlog::sink_ptr sink, spdlog::level::level_enum level,
                                           LogFormat format);

// Parses `level` (ParseLogLevel) and installs spdlog's default logger, so spdlog::info(...)
// anywhere in the daemon goes there: a JournalSink in kJournalEntry format when
// StdoutIsJournal(), else stdout in kTerminal format. Call early in `customsd run` (and again
// on reload), from one thread.
Status SetUpLogging(std::string_view level);

// Changes the default logger's level (on SIGHUP, after the config is re-read). The logger
// applies it atomically, so other threads may keep logging meanwhile. On a bad name the level
// stays as it was.
Status SetLogLevel(std::string_view level);

// `text` with the value of any Authorization header replaced by "[REDACTED]" (matched
// case-insensitively as `authorization` followed by ':' or '=', also as a quoted JSON key; the
// value runs to the end of the line, or to its closing quote when quoted) and the body of any
// PEM block ("-----BEGIN X-----" ... "-----END X-----", or to the end of the text when the END
// line is missing) replaced by "[REDACTED]".
std::string RedactSecrets(std::string text);

// Control characters (below 0x20, and 0x7f) written as \n, \r, \t or \xHH; backslashes are
// left alone. Bytes from 0x80 up pass through, so UTF-8 text stays readable.
std::string EscapeControlCharacters(std::string_view text);

}  // namespace customsd
