// wechatpay-mock: the fake WeChat Pay server as a program, for the demo, the benchmark and
// tests that run customsd as a process.
//
// Prints exactly one line to stdout, "wechatpay-mock listening on http(s)://HOST:PORT", once
// connections are accepted; stops cleanly on SIGTERM or SIGINT. Exit 0 after a clean stop, 1 on
// a runtime failure (cannot read a file, cannot listen), 2 on bad usage.
//
// --page-max and the freedom flags (--omit-optional, --extra-fields, --state-casing,
// --code-spellings, --doc-messages; --strict-docs for all of them) make the mock take the
// latitude WeChat's pages give the real server, so a client is tested against the docs, not
// against what it expects (mock_freedoms.h).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "tests/mock/mock_freedoms.h"
#include "tests/mock/mock_server.h"

namespace {

using customsd::mock::MockOptions;
using customsd::mock::NotFoundStyle;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream s;
  s << f.rdbuf();
  *out = s.str();
  return static_cast<bool>(f) || f.eof();
}

int Fail(int code, const std::string& message) {
  std::cerr << "wechatpay-mock: " << message << "\n";
  return code;
}

// "fail=0.1,except=0.05"
bool ParseMix(const std::string& text, MockOptions* o) {
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return false;
    const std::string name = item.substr(0, eq);
    double share = 0;
    try {
      size_t used = 0;
      share = std::stod(item.substr(eq + 1), &used);
      if (used != item.size() - eq - 1) return false;
    } catch (const std::exception&) {
      return false;
    }
    if (name == "fail") {
      o->mix_fail = share;
    } else if (name == "except") {
      o->mix_except = share;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wechatpay-mock: a fake WeChat Pay Global customs server for tests"};
  MockOptions o;
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> merchant_certs;
  std::string platform_key_file, platform_cert_file, apiv3_key_file, not_found = "404", mix;
  std::string stats_file;
  int64_t advance_after_ms = 0, hang_ms = 30000, latency_ms = 0;
  bool exempt_certificates = false;

  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: the OS picks)");
  app.add_option("--merchant-cert", merchant_certs,
                 "merchant API certificate PEM, repeatable; MCHID=PATH binds it to one mchid")
      ->required();
  app.add_option("--platform-key", platform_key_file, "platform private key PEM")->required();
  app.add_option("--platform-cert", platform_cert_file, "platform certificate PEM")->required();
  app.add_option("--apiv3-key-file", apiv3_key_file, "file holding the 32-byte APIv3 key")
      ->required();
  app.add_option("--prefix", o.prefix, "API path prefix")->capture_default_str();
  app.add_flag("--https", o.https, "serve HTTPS (needs --tls-cert and --tls-key)");
  app.add_option("--tls-cert", o.tls_cert_file, "TLS server certificate PEM");
  app.add_option("--tls-key", o.tls_key_file, "TLS server key PEM");
  app.add_option("--seed", o.seed, "seed of fault decisions and the state mix")
      ->capture_default_str();
  app.add_option("--advance-after-queries", o.advance_after_queries,
                 "each N-th query of a declaration advances it one state (0: off)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--advance-after", advance_after_ms,
                 "milliseconds per state step since acceptance (0: off)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--not-found", not_found, "answer to a query for an unknown order")
      ->check(CLI::IsMember({"404", "404-resource", "400", "empty"}))
      ->capture_default_str();
  auto rate = CLI::Range(0.0, 1.0);
  app.add_option("--fault-systemerror", o.faults.system_error, "rate of 500 SYSTEMERROR")
      ->check(rate);
  app.add_option("--fault-429", o.faults.rate_limited, "rate of 429 FREQUENCY_LIMITED")
      ->check(rate);
  app.add_option("--fault-503", o.faults.unavailable, "rate of 503 SERVICE_UNAVAILABLE")
      ->check(rate);
  app.add_option("--fault-hang", o.faults.hang, "rate of applied-then-hung requests")->check(rate);
  app.add_option("--hang-ms", hang_ms, "how long a hung request hangs")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fault-reset", o.faults.reset, "rate of applied-then-reset connections")
      ->check(rate);
  app.add_option("--fault-truncate", o.faults.truncate, "rate of applied-then-truncated bodies")
      ->check(rate);
  app.add_option("--fault-bad-signature", o.faults.bad_signature,
                 "rate of responses with a signature that does not verify")
      ->check(rate);
  app.add_option("--fault-no-signature", o.faults.no_signature,
                 "rate of responses without Wechatpay-Signature")
      ->check(rate);
  app.add_option("--fault-signtest", o.faults.sign_test,
                 "rate of responses with a WECHATPAY/SIGNTEST/ probe signature")
      ->check(rate);
  app.add_flag("--exempt-certificates", exempt_certificates,
               "never inject faults into GET {prefix}/certificates");
  app.add_option("--latency-ms", latency_ms, "added to every API request")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--mix", mix, "final states of unmarked orders, e.g. fail=0.1,except=0.05");
  app.add_option("--threads", o.threads,
                 "server threads (each hung or kept-alive connection "
                 "holds one)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--keep-alive-s", o.keep_alive_seconds, "idle keep-alive timeout, seconds")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  bool allow_shared_transaction_id = false;
  app.add_flag("--allow-shared-transaction-id", allow_shared_transaction_id,
               "accept one transaction_id for several out_trade_no (test data shortcut)");
  app.add_option("--stats-file", stats_file, "write /mock/stats JSON here when stopping");
  app.add_option("--noauth-customs", o.noauth_customs,
                 "refuse every declare at this customs with 403 NOAUTH until POST "
                 "/mock/register-customs");
  CLI::Option* page_max =
      app.add_option("--page-max", o.page_max,
                     "at most N records per query page whatever limit asks; the answer's limit "
                     "is min(asked, N) (0: no cap)")
          ->check(CLI::NonNegativeNumber);
  customsd::mock::Freedoms& f = o.freedoms;
  app.add_flag("--omit-optional", f.omit_optional,
               "leave out optional fields (explanation, modify_time, sub_order_id, duty, "
               "verify_department...) in some answers");
  app.add_flag("--extra-fields", f.extra_fields, "add unknown fields to 2xx bodies and items");
  app.add_flag("--state-casing", f.state_casing, "send state as SUCCESS, success or Success");
  app.add_flag("--code-spellings", f.code_spellings,
               "error codes in every documented spelling (SYSTEM_ERROR, RATE_LIMITED, NO_AUTH, "
               "...); some SYSTEMERROR faults with HTTP 400");
  app.add_flag("--doc-messages", f.doc_messages,
               "error messages as in WeChat's error tables, English or Chinese");
  bool strict_docs = false;
  app.add_flag("--strict-docs", strict_docs,
               "all of the five freedoms above, and --page-max a seeded 1..5 unless given");
  app.footer(
      "Seeded: every fault and freedom is a draw from --seed, so a run reproduces.\n"
      "By default the mock answers as our client expects; --strict-docs answers only as "
      "WeChat's pages promise.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail(2, "--listen must be HOST:PORT");
  o.host = listen.substr(0, colon);
  try {
    o.port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return Fail(2, "--listen must be HOST:PORT");
  }
  if (!mix.empty() && !ParseMix(mix, &o)) {
    return Fail(2, "--mix must look like fail=0.1,except=0.05");
  }
  o.not_found = not_found == "404-resource" ? NotFoundStyle::kResourceNotExists404
                : not_found == "400"        ? NotFoundStyle::kInvalidRequest400
                : not_found == "empty"      ? NotFoundStyle::kEmptyData200
                                            : NotFoundStyle::kOrderNotExist404;
  o.advance_after = std::chrono::milliseconds(advance_after_ms);
  o.hang = std::chrono::milliseconds(hang_ms);
  o.latency = std::chrono::milliseconds(latency_ms);
  o.faults_on_certificates = !exempt_certificates;
  o.bind_transaction_ids = !allow_shared_transaction_id;
  if (strict_docs) customsd::mock::ApplyStrictDocs(&o, /*keep_page_max=*/page_max->count() > 0);

  for (const std::string& spec : merchant_certs) {
    customsd::mock::MerchantCert cert;
    std::string path = spec;
    if (const size_t eq = spec.find('='); eq != std::string::npos) {
      cert.mchid = spec.substr(0, eq);
      path = spec.substr(eq + 1);
    }
    if (!ReadFile(path, &cert.cert_pem)) return Fail(1, "cannot read " + path);
    o.merchant_certs.push_back(std::move(cert));
  }
  customsd::mock::PlatformIdentity platform;
  if (!ReadFile(platform_key_file, &platform.key_pem)) {
    return Fail(1, "cannot read " + platform_key_file);
  }
  if (!ReadFile(platform_cert_file, &platform.cert_pem)) {
    return Fail(1, "cannot read " + platform_cert_file);
  }
  o.platforms.push_back(std::move(platform));
  if (!ReadFile(apiv3_key_file, &o.apiv3_key)) return Fail(1, "cannot read " + apiv3_key_file);
  while (!o.apiv3_key.empty() && std::isspace(static_cast<unsigned char>(o.apiv3_key.back()))) {
    o.apiv3_key.pop_back();
  }

  // Block the stop signals before any thread starts, so every thread inherits the mask and
  // only sigwait below sees them: no work in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server

  customsd::SystemClock clock;
  auto server = customsd::mock::MockServer::Create(std::move(o), clock);
  if (!server.ok()) {
    const int code = server.status().code() == customsd::StatusCode::kInvalidInput ? 2 : 1;
    return Fail(code, server.status().message());
  }
  customsd::StatusOr<int> port = (*server)->Start();
  if (!port.ok()) return Fail(1, port.status().message());
  std::printf("wechatpay-mock listening on %s\n", (*server)->base_url().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*server)->Stop();
  if (!stats_file.empty()) {
    std::ofstream f(stats_file, std::ios::trunc);
    f << (*server)->Stats().ToJson() << "\n";
    if (!f) return Fail(1, "cannot write " + stats_file);
  }
  return 0;
}
