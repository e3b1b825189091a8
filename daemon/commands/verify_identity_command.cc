// customsd verify-identity ID|ORDER [--sub-order-no X] [--customs C] [--mchid M]
//                          [--identity-file F] [--dry-run]
// Asks WeChat Pay whether a buyer's ID card number and name match the identity WeChat has on
// file for one declared order (POST /v3/global/customs/verify-certificate), through the
// declaration's merchant's client, with freshly downloaded platform certificates (as
// `check --online` does: the identity is encrypted for the platform key WeChat trusts now).
//
// The identity is personal data. It is never taken from argv (shell history, ps): it comes
// from --identity-file F (mode 0600 or stricter, like a key file; '-' = stdin), else from stdin
// when stdin is not a terminal, else from a prompt that does not echo. Either form: two lines
// (the ID card number, then the name) or a JSON object {"certificate_id", "certificate_name"}.
// It is never logged, never stored, never part of a message (errors say which field is wrong,
// not what it holds), and is wiped from memory after the call.
//
// Output: `SAME` or `DIFFERENT` on stdout; with -o json/jsonl the answer's fields (the
// declaration's key, certificate_type, certificate_check_result, request_id), never the
// identity. Exit codes: 0 when WeChat answered, whatever the answer (scripts read the word);
// 1 when it did not (the error in one line with code, message and Request-ID), 2 for bad input,
// 3 when no declaration matches. --dry-run names the declaration that would be checked and
// reads and sends nothing. The database is only read.
#include <openssl/crypto.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "daemon/commands/commands.h"
#include "daemon/commands/selector.h"
#include "daemon/config/secret_files.h"
#include "daemon/intake/field_checks.h"
#include "daemon/merchants/merchant_api.h"
#include "wechatpay/curl_transport.h"

namespace customsd {
namespace {

struct VerifyOptions {
  SelectorOptions select;
  std::string identity_file;
};

// Plaintext identity; wiped when it goes away so it does not linger in freed memory.
struct Identity {
  std::string id, name;
  Identity() = default;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  ~Identity() {
    OPENSSL_cleanse(id.data(), id.size());
    OPENSSL_cleanse(name.data(), name.size());
  }
};

void Wipe(std::string& s) { OPENSSL_cleanse(s.data(), s.size()); }

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Mainland resident ID card: 18 characters, 17 digits then a digit or X; or the older 15 digits.
Status CheckIdNumber(std::string& id) {
  if (!id.empty() && id.back() == 'x') id.back() = 'X';
  bool ok = id.size() == 18 || id.size() == 15;
  for (size_t i = 0; ok && i < id.size(); ++i) {
    const bool last18 = id.size() == 18 && i == 17;
    ok = (id[i] >= '0' && id[i] <= '9') || (last18 && id[i] == 'X');
  }
  if (ok) return Status::Ok();
  return Status::InvalidInput("identity: certificate_id must be an ID card number: 18 characters "
                              "(17 digits, then a digit or X) or 15 digits (found " +
                              std::to_string(id.size()) + " characters)");
}

// Below the RSA-2048 PKCS#1 v1.5 limit (245 bytes) with room to spare; the longest names on
// Chinese ID cards (transliterated minority names) stay far under it.
constexpr size_t kMaxNameBytes = 128;

Status CheckName(const std::string& name) {
  if (name.empty()) return Status::InvalidInput("identity: certificate_name is empty");
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidInput("identity: certificate_name is longer than " +
                                std::to_string(kMaxNameBytes) + " bytes");
  }
  if (FindInvalidUtf8(name) != std::string_view::npos) {
    return Status::InvalidInput("identity: certificate_name is not valid UTF-8");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidInput("identity: certificate_name holds a control character");
    }
  }
  return Status::Ok();
}

// Two lines, or a JSON object. Parse errors never quote the text (it is the identity).
Status ParseIdentity(const std::string& text, Identity* out) {
  const std::string head = Trim(text.substr(0, 64));
  if (!head.empty() && head.front() == '{') {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return Status::InvalidInput("identity: not a valid JSON object");
    for (const auto& [key, value] : j.items()) {
      if (key != "certificate_id" && key != "certificate_name" && key != "certificate_type") {
        return Status::InvalidInput("identity: unknown field " + PrintableName(key) +
                                    " (expected certificate_id and certificate_name)");
      }
      if (!value.is_string()) return Status::InvalidInput("identity: " + key + " must be a string");
    }
    if (j.value("certificate_type", "IDCARD") != "IDCARD") {
      return Status::InvalidInput("identity: certificate_type must be IDCARD (the only type "
                                  "WeChat Pay checks)");
    }
    if (!j.contains("certificate_id") || !j.contains("certificate_name")) {
      return Status::InvalidInput("identity: certificate_id and certificate_name are required");
    }
    std::string id = j["certificate_id"].get<std::string>();
    std::string name = j["certificate_name"].get<std::string>();
    out->id = Trim(id);
    out->name = Trim(name);
    Wipe(id);
    Wipe(name);
    for (auto& [key, value] : j.items()) Wipe(value.get_ref<std::string&>());
  } else {
    std::vector<std::string> lines;
    size_t at = 0;
    while (at <= text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string line = Trim(std::string_view(text).substr(at, end - at));
      if (!line.empty()) lines.push_back(std::move(line));
      at = end + 1;
    }
    if (lines.size() != 2) {
      const size_t found = lines.size();
      for (std::string& l : lines) Wipe(l);
      return Status::InvalidInput("identity: expected two lines, the ID card number and then the "
                                  "name (or a JSON object); found " + std::to_string(found));
    }
    out->id = lines[0];
    out->name = lines[1];
    for (std::string& l : lines) Wipe(l);
  }
  CUSTOMSD_RETURN_IF_ERROR(CheckIdNumber(out->id));
  return CheckName(out->name);
}

// Terminal settings to put back if a signal ends the prompt with echo off.
struct termios g_saved_termios;

void RestoreTerminalAndDie(int sig) {
  ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// One line from the terminal with echo off; the prompt and the newline go to stderr.
StatusOr<std::string> PromptHidden(CommandEnv& env, const char* prompt) {
  if (::tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) {
    return Status::InvalidInput("identity: cannot turn off echo on this terminal; use "
                                "--identity-file");
  }
  struct sigaction quiet {}, old_int {}, old_term {}, old_hup {};
  quiet.sa_handler = RestoreTerminalAndDie;
  ::sigemptyset(&quiet.sa_mask);
  ::sigaction(SIGINT, &quiet, &old_int);
  ::sigaction(SIGTERM, &quiet, &old_term);
  ::sigaction(SIGHUP, &quiet, &old_hup);
  struct termios hidden = g_saved_termios;
  hidden.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  hidden.c_lflag |= ECHONL;
  env.err << prompt << std::flush;
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden);
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  ::sigaction(SIGHUP, &old_hup, nullptr);
  if (!got) return Status::InvalidInput("identity: no input");
  return line;
}

bool StdinIsTerminal(const CommandEnv& env) {
  return &env.in == &std::cin && ::isatty(STDIN_FILENO) == 1;
}

constexpr size_t kMaxIdentityBytes = 4096;

StatusOr<std::string> ReadAll(std::istream& in) {
  std::string text;
  char c;
  while (in.get(c)) {
    if (text.size() >= kMaxIdentityBytes) {
      Wipe(text);
      return Status::InvalidInput("identity: more than 4 KiB on stdin");
    }
    text.push_back(c);
  }
  return text;
}

Status ReadIdentity(CommandEnv& env, const std::string& file, Identity* out) {
  std::string text;
  if (!file.empty() && file != "-") {
    auto content = ReadSecretFile(file, "--identity-file");
    if (!content.ok()) return Status::InvalidInput(content.status().message());
    text = std::move(content).value();
  } else if (file.empty() && StdinIsTerminal(env)) {
    auto id = PromptHidden(env, "ID card number (not shown): ");
    if (!id.ok()) return id.status();
    auto name = PromptHidden(env, "name on the ID card (not shown): ");
    if (!name.ok()) return name.status();
    text = *id + "\n" + *name + "\n";
    Wipe(*id);
    Wipe(*name);
  } else {
    auto content = ReadAll(env.in);
    if (!content.ok()) return content.status();
    text = std::move(content).value();
  }
  Status s = ParseIdentity(text, out);
  Wipe(text);
  return s;
}

nlohmann::json AnswerJson(const DeclarationRecord& r, const std::string& result,
                          const std::string& request_id) {
  const DeclarationFields& f = r.fields;
  nlohmann::json j = {{"id", r.id},
                      {"appid", f.appid},
                      {"mchid", f.mchid},
                      {"out_trade_no", f.out_trade_no},
                      {"transaction_id", f.transaction_id}};
  if (!f.sub_order_no.empty()) j["sub_order_no"] = f.sub_order_no;
  j["customs"] = f.customs;
  j["merchant_customs_no"] = f.merchant_customs_no;
  j["certificate_type"] = "IDCARD";
  j["certificate_check_result"] = result;
  j["request_id"] = request_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(request_id);
  return j;
}

// The declaration the selector names, read and the database closed again.
StatusOr<DeclarationRecord> SelectOne(CommandEnv& env, const Config& config,
                                      const SelectorOptions& select) {
  auto db = OpenDatabaseFor(config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return db.status();
  DeclarationStore store(**db, env.clock);
  auto matches = SelectDeclarations(store, select);
  if (!matches.ok()) return matches.status();
  return matches->front();
}

int RunVerifyIdentity(CommandEnv& env, const VerifyOptions& opt) {
  if (Status s = CheckSelector(opt.select, SelectorForms::kOneOnly, "verify-identity"); !s.ok()) {
    return Fail(env, s);
  }
  // Read first: bad input is reported before anything else happens, and a root-only identity
  // file is read before opening the database switches to its owner (run_as_owner.h).
  Identity identity;
  if (!opt.select.dry_run) {
    if (Status s = ReadIdentity(env, opt.identity_file, &identity); !s.ok()) return Fail(env, s);
  }
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());

  // The key files too, for the same reason; which merchant is needed is known only later.
  CurlTransportOptions transport_options;
  transport_options.ca_file = config->wechatpay.ca_file;
  transport_options.timeout = config->wechatpay.timeout;
  CurlTransport transport(transport_options);
  std::map<std::string, StatusOr<std::unique_ptr<MerchantApi>>> apis;
  if (!opt.select.dry_run) {
    for (const MerchantConfig& m : config->merchants) {
      if (!opt.select.mchid.empty() && m.mchid != opt.select.mchid) continue;
      apis.emplace(m.mchid, BuildMerchantApi(*config, m, transport, env.clock, nullptr));
    }
  }

  auto record = SelectOne(env, *config, opt.select);
  if (!record.ok()) return Fail(env, record.status());
  if (opt.select.dry_run) {
    env.out << "verify-identity: dry run, nothing sent: would check the identity for "
            << NameOf(*record) << "\n";
    return kExitOk;
  }
  auto api = apis.find(record->fields.mchid);
  if (api == apis.end()) {
    return Fail(env, Status::FailedPrecondition("merchant " + record->fields.mchid + " of " +
                                                NameOf(*record) + " is not in the config"));
  }
  if (!api->second.ok()) return Fail(env, api->second.status());
  MerchantApi& merchant = **api->second;

  ApiOutcome refreshed = merchant.certificates->Refresh();
  if (!refreshed.ok() && !merchant.certificates->TrustedSerial()) {
    env.err << "customsd: merchant " << record->fields.mchid
            << ": downloading platform certificates: " << refreshed.ToString() << "\n";
    return kExitFailure;
  }
  const DeclarationFields& f = record->fields;
  VerifyCertificateRequest request;
  request.appid = f.appid;
  request.mchid = f.mchid;
  request.out_trade_no = f.out_trade_no;
  request.transaction_id = f.transaction_id;
  request.customs = f.customs;
  request.merchant_customs_no = f.merchant_customs_no;
  request.sub_order_no = f.sub_order_no;
  request.certificate_id = identity.id;
  request.certificate_name = identity.name;
  ApiResult<VerifyCertificateResult> answer = merchant.customs->VerifyCertificate(request);
  Wipe(request.certificate_id);
  Wipe(request.certificate_name);

  if (!answer.outcome.ok() || !answer.value) {
    env.err << "customsd: verify-identity " << NameOf(*record) << ": "
            << answer.outcome.ToString() << "\n";
    return kExitFailure;
  }
  const std::string& result = answer.value->certificate_check_result;
  if (result != "SAME" && result != "DIFFERENT") {
    env.err << "customsd: verify-identity " << NameOf(*record)
            << ": WeChat answered without SAME or DIFFERENT in certificate_check_result"
            << (answer.outcome.request_id.empty()
                    ? ""
                    : " (Request-ID " + answer.outcome.request_id + ")")
            << "\n";
    return kExitFailure;
  }
  const nlohmann::json j = AnswerJson(*record, result, answer.outcome.request_id);
  switch (env.output.format) {
    case OutputFormat::kTable: env.out << result << "\n"; break;
    case OutputFormat::kJson: env.out << j.dump(2) << "\n"; break;
    case OutputFormat::kJsonl: env.out << j.dump() << "\n"; break;
    case OutputFormat::kCsv:
      PrintItems(env.out, OutputFormat::kCsv, {j},
                 {"id", "mchid", "out_trade_no", "sub_order_no", "customs",
                  "certificate_check_result", "request_id"});
      break;
  }
  return kExitOk;
}

}  // namespace

void AddVerifyIdentityCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify-identity",
      "ask WeChat Pay whether a buyer's ID card number and name match the order's payer "
      "(prints SAME or DIFFERENT; exit 0 for either answer)");
  AddSelectorOptions(*cmd, env, opt->select, SelectorForms::kOneOnly);
  cmd->add_option("--identity-file", opt->identity_file,
                  "the ID card number and name: two lines, or JSON {\"certificate_id\", "
                  "\"certificate_name\"}; mode 0600; '-' = stdin. Without it: stdin when not a "
                  "terminal, else a prompt that does not echo");
  cmd->footer(
      "The identity never goes on the command line. Exit codes: 0 WeChat answered (SAME or "
      "DIFFERENT, on stdout), 1 it did not (error with code, message and Request-ID), 2 bad "
      "input, 3 no such declaration.");
  cmd->callback([opt, &env] { env.exit_code = RunVerifyIdentity(env, *opt); });
}

}  // namespace customsd
