// CurlTransport against a real cpp-httplib server on 127.0.0.1 (HTTP and HTTPS with throw-away
// certificates). Nothing leaves loopback; no test sleeps: waits are on condition variables with
// deadlines, and handlers that hang are released when the test ends.
#include "wechatpay/curl_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/test_tls.h"

namespace customsd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::TempDir;
using testing::TestTls;

constexpr char kSecret[] = "s3cr3t-never-in-messages";
constexpr int kParallel = 16;

// What the handlers saw, and the gate that hanging handlers wait on.
struct ServerState {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  int arrivals = 0;
  std::set<int> client_ports;  // one per TCP connection that carried a request

  void Arrive(int port) {
    std::lock_guard lock(mu);
    ++arrivals;
    client_ports.insert(port);
    cv.notify_all();
  }
  bool WaitForArrivals(int n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, [&] { return arrivals >= n; });
  }
  void HangUntilReleased() {
    std::unique_lock lock(mu);
    cv.wait_for(lock, 10s, [&] { return released; });  // the bound only matters on failure
  }
  void Release() {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
  size_t Connections() {
    std::lock_guard lock(mu);
    return client_ports.size();
  }
};

void AddRoutes(httplib::Server& server, ServerState& state) {
  auto echo = [&state](const httplib::Request& req, httplib::Response& res) {
    state.Arrive(req.remote_port);
    res.status = req.has_param("status") ? std::stoi(req.get_param_value("status")) : 200;
    res.set_header("X-Echo-Custom", req.get_header_value("X-Custom"));
    res.set_header("X-Content-Type",
                   req.has_header("Content-Type") ? req.get_header_value("Content-Type") : "-");
    res.set_header("X-Expect", req.has_header("Expect") ? req.get_header_value("Expect") : "-");
    res.set_content(req.method + "|" + req.body, "text/plain");
  };
  server.Get("/echo", echo);
  server.Post("/echo", echo);
  server.Patch("/echo", echo);
  server.Post("/hang", [&state](const httplib::Request& req, httplib::Response& res) {
    state.Arrive(req.remote_port);
    state.HangUntilReleased();
    res.set_content("late", "text/plain");
  });
  server.Get("/truncated", [&state](const httplib::Request& req, httplib::Response& res) {
    state.Arrive(req.remote_port);
    res.set_content_provider(100, "text/plain", [](size_t, size_t, httplib::DataSink& sink) {
      sink.write("short", 5);
      return false;  // httplib then drops the connection: 5 of 100 bytes arrive
    });
  });
  server.Get("/big", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::string(std::stoul(req.get_param_value("n")), 'x'), "text/plain");
  });
  server.Get("/big-chunked", [](const httplib::Request& req, httplib::Response& res) {
    const size_t total = std::stoul(req.get_param_value("n"));
    res.set_chunked_content_provider("text/plain", [total](size_t offset, httplib::DataSink& s) {
      const std::string chunk(std::min<size_t>(16384, total - offset), 'x');
      s.write(chunk.data(), chunk.size());
      if (offset + chunk.size() == total) s.done();
      return true;
    });
  });
  // Answers only once kParallel requests are inside the handler together.
  server.Get("/together", [&state](const httplib::Request& req, httplib::Response& res) {
    state.Arrive(req.remote_port);
    const bool together = state.WaitForArrivals(kParallel, 10s);
    res.status = together ? 200 : 500;
    res.set_content(together ? "together" : "alone", "text/plain");
  });
}

// httplib 0.11 listens with a backlog of 5: a burst of kParallel connects overflows it, and the
// dropped SYNs are retried only after a second. Listening again on the bound socket (protected
// in httplib, hence the subclass) just raises the backlog.
template <typename Base>
class WideBacklog final : public Base {
 public:
  using Base::Base;
  int BindLoopback() {
    const int port = this->bind_to_any_port("127.0.0.1");
    if (port > 0 && ::listen(this->svr_sock_, 4 * kParallel) != 0) return -1;
    return port;
  }
};

// A server listening on an OS-picked loopback port, served by its own thread, always stopped.
class RunningServer {
 public:
  template <typename Base>
  RunningServer(std::unique_ptr<WideBacklog<Base>> server, ServerState& state) {
    if (!server->is_valid()) throw std::runtime_error("server setup failed");
    // More workers than parallel clients. Keep-alive is long enough for the reuse test; it does
    // not slow teardown, since every test closes its transport before the server stops.
    server->new_task_queue = [] { return new httplib::ThreadPool(2 * kParallel); };
    server->set_keep_alive_max_count(1000);
    server->set_keep_alive_timeout(10);
    server->set_tcp_nodelay(true);  // else Nagle and delayed ACKs add 40 ms per response
    AddRoutes(*server, state);
    port_ = server->BindLoopback();  // listening from here on
    if (port_ <= 0) throw std::runtime_error("bind failed");
    server_ = std::move(server);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op until the accept loop runs; without this wait it could hang the join.
    const auto deadline = Clock::now() + 5s;
    while (!server_->is_running() && Clock::now() < deadline) std::this_thread::yield();
  }
  ~RunningServer() {
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// A loopback port that is bound but not listening: connecting to it is refused.
class RefusingPort {
 public:
  RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot bind a loopback port");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

std::string Url(int port, const std::string& path, const std::string& scheme = "http",
                const std::string& host = "127.0.0.1") {
  return scheme + "://" + host + ":" + std::to_string(port) + path;
}

HttpRequest Request(const std::string& method, const std::string& url, std::string body = "") {
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.body = std::move(body);
  request.headers = {{"Authorization", kSecret}, {"Accept", "application/json"}};
  return request;
}

// Checks that a failure has the expected kind and a one-line message free of request secrets.
void ExpectError(const TransportResult& result, TransportErrorKind kind) {
  ASSERT_FALSE(result.ok());
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->kind, kind) << result.error->message;
  EXPECT_FALSE(result.error->message.empty());
  EXPECT_EQ(result.error->message.find('\n'), std::string::npos);
  EXPECT_EQ(result.error->message.find(kSecret), std::string::npos);
}

class CurlTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    tls_ = testing::WriteTestTls(dir_->path());
    const std::string other = dir_->File("other");
    ::mkdir(other.c_str(), 0700);
    other_host_tls_ = testing::WriteTestTls(other, "other.example");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    http_ =
        std::make_unique<RunningServer>(std::make_unique<WideBacklog<httplib::Server>>(), state_);
  }
  // Lets hanging handlers return, so the servers (destroyed after this) stop at once.
  void TearDown() override { state_.Release(); }

  int StartHttps(const TestTls& tls) {
    https_ = std::make_unique<RunningServer>(std::make_unique<WideBacklog<httplib::SSLServer>>(
                                                 tls.server_cert.c_str(), tls.server_key.c_str()),
                                             state_);
    return https_->port();
  }

  static CurlTransportOptions TrustingTestCa() {
    CurlTransportOptions options;
    options.ca_file = tls_.ca_cert;
    return options;
  }

  static inline TempDir* dir_ = nullptr;
  static inline TestTls tls_;
  static inline TestTls other_host_tls_;

  ServerState state_;  // declared first: outlives the servers whose handlers use it
  std::unique_ptr<RunningServer> http_;
  std::unique_ptr<RunningServer> https_;
};

TEST_F(CurlTransportTest, RoundTripsGetPostAndPatch) {
  CurlTransport transport({});
  TransportResult get = transport.Send(Request("GET", Url(http_->port(), "/echo")));
  ASSERT_TRUE(get.ok()) << get.error->message;
  EXPECT_EQ(get.response->status, 200);
  EXPECT_EQ(get.response->body, "GET|");

  HttpRequest post = Request("POST", Url(http_->port(), "/echo"), R"({"a":1})");
  post.headers.emplace_back("Content-Type", "application/json");
  post.headers.emplace_back("X-Custom", "abc");
  TransportResult posted = transport.Send(post);
  ASSERT_TRUE(posted.ok()) << posted.error->message;
  EXPECT_EQ(posted.response->status, 200);
  EXPECT_EQ(posted.response->body, R"(POST|{"a":1})");
  EXPECT_EQ(posted.response->Header("X-Echo-Custom"), "abc");
  EXPECT_EQ(posted.response->Header("X-Content-Type"), "application/json");

  TransportResult patched = transport.Send(Request("PATCH", Url(http_->port(), "/echo"), "p"));
  ASSERT_TRUE(patched.ok()) << patched.error->message;
  EXPECT_EQ(patched.response->body, "PATCH|p");
  // libcurl adds no form Content-Type of its own.
  EXPECT_EQ(patched.response->Header("X-Content-Type"), "-");
}

TEST_F(CurlTransportTest, ErrorStatusesAreResponses) {
  CurlTransport transport({});
  for (int status : {400, 404, 429, 500, 503}) {
    TransportResult result = transport.Send(
        Request("POST", Url(http_->port(), "/echo?status=" + std::to_string(status)), "b"));
    ASSERT_TRUE(result.ok()) << result.error->message;
    EXPECT_EQ(result.response->status, status);
    EXPECT_EQ(result.response->body, "POST|b");
  }
}

TEST_F(CurlTransportTest, LargeBodyIsSentWithoutExpectContinue) {
  CurlTransport transport({});
  const std::string body(1536 * 1024, 'b');
  TransportResult result = transport.Send(Request("POST", Url(http_->port(), "/echo"), body));
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(result.response->Header("X-Expect"), "-");
  EXPECT_EQ(result.response->body, "POST|" + body);
}

TEST_F(CurlTransportTest, HeaderLookupIgnoresCase) {
  CurlTransport transport({});
  HttpRequest request = Request("GET", Url(http_->port(), "/echo"));
  request.headers.emplace_back("X-Custom", "v");
  TransportResult result = transport.Send(request);
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(result.response->Header("x-echo-custom"), "v");
  EXPECT_EQ(result.response->Header("X-ECHO-CUSTOM"), "v");
  EXPECT_EQ(result.response->Header("X-Absent"), std::nullopt);
}

TEST_F(CurlTransportTest, HeaderWithLineBreakIsRefusedUnsent) {
  CurlTransport transport({});
  HttpRequest request = Request("GET", Url(http_->port(), "/echo"));
  request.headers.emplace_back("X-Custom", std::string(kSecret) + "\r\nX-Injected: 1");
  ExpectError(transport.Send(request), TransportErrorKind::kNotSent);
  EXPECT_EQ(state_.Connections(), 0u);
}

TEST_F(CurlTransportTest, ConnectionRefusedIsNotSent) {
  RefusingPort refusing;
  CurlTransport transport({});
  ExpectError(transport.Send(Request("POST", Url(refusing.port(), "/echo"), kSecret)),
              TransportErrorKind::kNotSent);
}

TEST_F(CurlTransportTest, TimeoutAfterSendingIsUnknown) {
  CurlTransport transport({});
  HttpRequest request = Request("POST", Url(http_->port(), "/hang"), kSecret);
  request.timeout = 300ms;
  const auto start = Clock::now();
  ExpectError(transport.Send(request), TransportErrorKind::kUnknown);
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(CurlTransportTest, TruncatedBodyIsUnknown) {
  CurlTransport transport({});
  ExpectError(transport.Send(Request("GET", Url(http_->port(), "/truncated"))),
              TransportErrorKind::kUnknown);
}

TEST_F(CurlTransportTest, PlainHttpOnlyToLoopback) {
  CurlTransport transport({});
  const int port = http_->port();
  for (const std::string& url :
       {Url(port, "/echo", "http", "192.0.2.1"), Url(port, "/echo", "http", "0.0.0.0"),
        Url(port, "/echo", "http", "127.0.0.1.example"), Url(port, "/echo", "http", "[::2]"),
        Url(port, "/echo", "ftp"), std::string("not a url")}) {
    SCOPED_TRACE(url);
    const TransportResult result = transport.Send(Request("GET", url));
    ExpectError(result, TransportErrorKind::kNotSent);
    EXPECT_NE(result.error->message.find("URL rejected"), std::string::npos);
  }
  EXPECT_EQ(state_.Connections(), 0u);  // 0.0.0.0 would have reached this server
  for (const std::string& url :
       {Url(port, "/echo", "http", "localhost"), Url(port, "/echo", "HTTP", "127.0.0.1")}) {
    SCOPED_TRACE(url);
    const TransportResult result = transport.Send(Request("GET", url));
    EXPECT_TRUE(result.ok()) << result.error->message;
  }
}

TEST_F(CurlTransportTest, HttpsWithServerCertFromUnknownCaIsNotSent) {
  const int port = StartHttps(tls_);
  CurlTransport system_cas_only({});
  ExpectError(system_cas_only.Send(Request("POST", Url(port, "/echo", "https", "localhost"), "b")),
              TransportErrorKind::kNotSent);
  CurlTransportOptions other_ca;
  other_ca.ca_file = tls_.other_ca_cert;
  CurlTransport trusting_other_ca(other_ca);
  ExpectError(
      trusting_other_ca.Send(Request("POST", Url(port, "/echo", "https", "localhost"), "b")),
      TransportErrorKind::kNotSent);
  EXPECT_EQ(state_.Connections(), 0u);
}

TEST_F(CurlTransportTest, HttpsWithCertForAnotherHostIsNotSent) {
  ASSERT_EQ(testing::ReadFile(other_host_tls_.ca_cert), testing::ReadFile(tls_.ca_cert));
  const int port = StartHttps(other_host_tls_);  // trusted issuer, but names other.example
  CurlTransport transport(TrustingTestCa());
  const TransportResult result =
      transport.Send(Request("POST", Url(port, "/echo", "https", "localhost"), "b"));
  ExpectError(result, TransportErrorKind::kNotSent);
  // libcurl's wording for a name mismatch, as opposed to an untrusted issuer.
  EXPECT_NE(result.error->message.find("host name"), std::string::npos) << result.error->message;
  EXPECT_EQ(state_.Connections(), 0u);
}

TEST_F(CurlTransportTest, HttpsWithTrustedTestCaWorks) {
  const int port = StartHttps(tls_);
  CurlTransport transport(TrustingTestCa());
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    TransportResult result =
        transport.Send(Request("POST", Url(port, "/echo", "https", host), "b"));
    ASSERT_TRUE(result.ok()) << host << ": " << result.error->message;
    EXPECT_EQ(result.response->status, 200);
    EXPECT_EQ(result.response->body, "POST|b");
  }
}

TEST_F(CurlTransportTest, SequentialRequestsReuseConnections) {
  const int https_port = StartHttps(tls_);
  CurlTransport transport(TrustingTestCa());
  constexpr int kRequests = 6;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(transport.Send(Request("GET", Url(http_->port(), "/echo"))).ok());
  }
  EXPECT_EQ(state_.Connections(), 1u);
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(
        transport.Send(Request("GET", Url(https_port, "/echo", "https", "localhost"))).ok());
  }
  EXPECT_EQ(state_.Connections(), 2u);
}

TEST_F(CurlTransportTest, ConcurrentSendsRunInParallel) {
  const int port = StartHttps(tls_);  // HTTPS, so the shared TLS session cache is exercised too
  CurlTransport transport(TrustingTestCa());
  std::vector<std::future<TransportResult>> results;
  for (int i = 0; i < kParallel; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      return transport.Send(Request("GET", Url(port, "/together", "https", "localhost")));
    }));
  }
  for (auto& future : results) {
    TransportResult result = future.get();
    ASSERT_TRUE(result.ok()) << result.error->message;
    EXPECT_EQ(result.response->body, "together");
  }
}

TEST_F(CurlTransportTest, ResponseOverLimitIsUnknown) {
  CurlTransportOptions options;
  options.max_response_bytes = 64 * 1024;
  CurlTransport transport(options);
  const int port = http_->port();
  for (const std::string path : {"/big?n=200000", "/big-chunked?n=200000"}) {
    SCOPED_TRACE(path);
    ExpectError(transport.Send(Request("GET", Url(port, path))), TransportErrorKind::kUnknown);
  }
  for (const std::string path : {"/big?n=65536", "/big-chunked?n=65536"}) {
    SCOPED_TRACE(path);
    TransportResult result = transport.Send(Request("GET", Url(port, path)));
    ASSERT_TRUE(result.ok()) << result.error->message;
    EXPECT_EQ(result.response->body.size(), 65536u);
  }
}

TEST_F(CurlTransportTest, AbortAllEndsTransfersUntilResume) {
  CurlTransport transport({});
  HttpRequest hang = Request("POST", Url(http_->port(), "/hang"), kSecret);
  hang.timeout = 20s;
  auto pending = std::async(std::launch::async, [&] { return transport.Send(hang); });
  ASSERT_TRUE(state_.WaitForArrivals(1, 5s));

  const auto start = Clock::now();
  transport.AbortAll();
  ASSERT_EQ(pending.wait_for(2s), std::future_status::ready);
  EXPECT_LT(Clock::now() - start, 1s);
  const TransportResult aborted = pending.get();
  ExpectError(aborted, TransportErrorKind::kUnknown);
  EXPECT_EQ(aborted.error->message, "aborted");

  ExpectError(transport.Send(Request("GET", Url(http_->port(), "/echo"))),
              TransportErrorKind::kNotSent);
  transport.Resume();
  TransportResult after = transport.Send(Request("GET", Url(http_->port(), "/echo")));
  EXPECT_TRUE(after.ok()) << after.error->message;
}

}  // namespace
}  // namespace customsd
