// intake_load: the order systems' side of the intake benchmark. C client threads each POST
// R declarations per request to customsd's /v1/declarations, N requests one after the other
// (a client waits for its answer before the next request, as an order system's worker does),
// over one kept-alive connection per client. Prints one JSON object:
//   {"requests", "declarations", "errors", "wall_s", "declarations_per_s", "p50_ms", "p99_ms",
//    "max_ms", "first_error"}
// Latency is per request, from the first byte sent to the whole answer read (libcurl's
// CURLINFO_TOTAL_TIME). Every declaration is new (order and transaction ids unique by prefix,
// client and sequence), so the daemon stores and then works every one.
//
// `intake_load --free-port` prints a loopback port that was free a moment ago, for the config
// (customsd's [api] listen needs a real port).
//
//   g++ -O2 -std=c++20 bench/intake_load.cc -lcurl -pthread -o intake_load
//   intake_load --url http://127.0.0.1:9470/v1/declarations --token-file F
//               --clients 16 --per-request 1 --requests 500 --prefix IA   (one line)
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Args {
  std::string url, token, prefix = "I";
  int clients = 16, per_request = 1, requests = 100;
};

size_t Keep(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string Declaration(const std::string& prefix, int client, long seq) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"out_trade_no\":\"%s%02d%09ld\",\"transaction_id\":\"42%02d%024ld\","
                "\"customs\":\"SHANGHAI_ZS\",\"merchant_customs_no\":\"3120960ZK1\"}",
                prefix.c_str(), client, seq, client, seq);
  return buf;
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

int Usage() {
  std::fprintf(stderr,
               "usage: intake_load --url URL --token-file F [--clients C] [--per-request R] "
               "[--requests N] [--prefix P]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--free-port") {
    const int port = FreePort();
    if (port == 0) return 1;
    std::printf("%d\n", port);
    return 0;
  }
  Args a;
  std::string token_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--url")
      a.url = v;
    else if (k == "--token-file")
      token_file = v;
    else if (k == "--clients")
      a.clients = std::atoi(v.c_str());
    else if (k == "--per-request")
      a.per_request = std::atoi(v.c_str());
    else if (k == "--requests")
      a.requests = std::atoi(v.c_str());
    else if (k == "--prefix")
      a.prefix = v;
    else
      return Usage();
  }
  std::ifstream tf(token_file);
  std::getline(tf, a.token);
  if (a.url.empty() || a.token.empty() || a.clients < 1 || a.per_request < 1 || a.requests < 1) {
    return Usage();
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<long> errors{0}, stored{0};
  std::string first_error;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < a.clients; ++c) {
    threads.emplace_back([&, c] {
      CURL* h = curl_easy_init();
      curl_slist* headers = nullptr;
      headers = curl_slist_append(headers, ("Authorization: Bearer " + a.token).c_str());
      headers = curl_slist_append(headers, "Content-Type: application/json");
      headers = curl_slist_append(headers, "Expect:");
      curl_easy_setopt(h, CURLOPT_URL, a.url.c_str());
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Keep);
      std::vector<double> mine;
      long seq = 0;
      for (int r = 0; r < a.requests; ++r) {
        std::string body = a.per_request == 1 ? "" : "[";
        for (int k = 0; k < a.per_request; ++k) {
          if (k > 0) body += ",";
          body += Declaration(a.prefix, c, ++seq);
        }
        if (a.per_request != 1) body += "]";
        std::string answer;
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        const CURLcode rc = curl_easy_perform(h);
        long status = 0;
        double total_s = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &total_s);
        if (rc != CURLE_OK || status != 201) {
          ++errors;
          std::lock_guard lock(mu);
          if (first_error.empty()) {
            first_error = rc != CURLE_OK
                              ? curl_easy_strerror(rc)
                              : "HTTP " + std::to_string(status) + ": " + answer.substr(0, 200);
          }
          continue;
        }
        stored += a.per_request;
        mine.push_back(total_s * 1000);
      }
      curl_slist_free_all(headers);
      curl_easy_cleanup(h);
      std::lock_guard lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    if (latencies_ms.empty()) return 0.0;
    size_t i = static_cast<size_t>(q * (latencies_ms.size() - 1) + 0.5);
    return latencies_ms[std::min(i, latencies_ms.size() - 1)];
  };
  std::string err;
  for (char ch : first_error) {
    if (ch == '"' || ch == '\\') err += '\\';
    err += (ch == '\n' || ch == '\r') ? ' ' : ch;
  }
  std::printf(
      "{\"requests\":%zu,\"declarations\":%ld,\"errors\":%ld,\"wall_s\":%.3f,"
      "\"declarations_per_s\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,"
      "\"first_error\":\"%s\"}\n",
      latencies_ms.size(), stored.load(), errors.load(), wall, stored.load() / wall, at(0.5),
      at(0.99), latencies_ms.empty() ? 0.0 : latencies_ms.back(), err.c_str());
  curl_global_cleanup();
  return errors.load() == 0 ? 0 : 1;
}
