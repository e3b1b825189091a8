#include "daemon/process/http_listener.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace customsd {
namespace {

std::string ListenError(std::string_view key, std::string_view listen, std::string_view what) {
  return std::string(key) + ": " + std::string(what) + " (got \"" + std::string(listen) + "\")";
}

bool IsWildcard(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::";
}

bool IsNumericAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// httplib does not hand out its sockets, so they are found through /proc/self/fd (Linux only,
// like the project): calls `visit` with each open descriptor of this process.
template <typename Visit>
void ForEachOpenDescriptor(Visit visit) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    const char* name = entry->d_name;
    int fd = -1;
    auto [end, ec] = std::from_chars(name, name + std::strlen(name), fd);
    if (ec != std::errc() || *end != '\0' || fd == dirfd(dir)) continue;
    visit(fd);
  }
  closedir(dir);
}

// The local address and port of socket `fd`, numeric; nullopt when it is not a bound socket.
std::optional<std::pair<std::string, int>> LocalEnd(int fd) {
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return std::nullopt;
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&local), local_len, host, sizeof(host), port,
                  sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return std::nullopt;
  }
  return std::make_pair(std::string(host), std::atoi(port));
}

// Shuts down every connected socket of this process whose local end is `host`:`port` (any
// local address when `host` is empty). httplib keeps an idle keep-alive connection open for
// its whole keep-alive timeout even after stop(); this wakes those threads at once. An
// outgoing connection cannot share the port: the kernel never picks a bound port for one.
void ShutdownAcceptedConnections(const std::string& host, int port) {
  ForEachOpenDescriptor([&](int fd) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) return;
    auto local = LocalEnd(fd);
    if (!local || local->second != port) return;
    if (!host.empty() && host != local->first) return;
    shutdown(fd, SHUT_RDWR);
  });
}

// The accept queue httplib's own listen() asks for is 5 (Debian builds httplib as a library,
// so CPPHTTPLIB_LISTEN_BACKLOG cannot change it): a burst of clients connecting at once (an
// order system's workers, 16 bench clients) overflowed it, and each dropped SYN cost its client
// the kernel's 1 s retransmit. Linux lets listen() on a listening socket change its backlog.
constexpr int kListenBacklog = 512;

void RaiseListenBacklog(int port) {
  ForEachOpenDescriptor([port](int fd) {
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) {
      return;
    }
    auto local = LocalEnd(fd);
    if (local && local->second == port) ::listen(fd, kListenBacklog);
  });
}

}  // namespace

StatusOr<ListenAddress> ParseListenAddress(std::string_view listen, std::string_view key) {
  ListenAddress out;
  std::string_view port_text;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return Status::InvalidInput(ListenError(key, listen, "must be host:port or [v6]:port"));
    }
    out.host = std::string(listen.substr(1, close - 1));
    port_text = listen.substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos || listen.find(':') != colon) {
      return Status::InvalidInput(ListenError(key, listen, "must be host:port or [v6]:port"));
    }
    out.host = std::string(listen.substr(0, colon));
    port_text = listen.substr(colon + 1);
  }
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), out.port);
  if (out.host.empty() || port_text.empty() || ec != std::errc() ||
      end != port_text.data() + port_text.size() || out.port < 0 || out.port > 65535) {
    return Status::InvalidInput(ListenError(key, listen, "must be host:port with a port 0-65535"));
  }
  return out;
}

void PrepareServer(httplib::Server& server, size_t threads) {
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // An answer goes out as headers then body: without TCP_NODELAY the body waits for the
  // client's delayed ACK (40 ms on Linux), which was the whole of a small POST's latency.
  server.set_tcp_nodelay(true);
  server.set_keep_alive_timeout(kListenerTimeoutSeconds);
  server.set_read_timeout(kListenerTimeoutSeconds, 0);
  server.set_write_timeout(kListenerTimeoutSeconds, 0);
  // httplib's default sets SO_REUSEPORT, which lets a second process bind the same port and
  // take half the requests: with SO_REUSEADDR alone a busy port is an error, as it should be.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

HttpListener::~HttpListener() { Stop(); }

StatusOr<int> HttpListener::Start(std::unique_ptr<httplib::Server> server, std::string_view listen,
                                  std::string_view key) {
  if (server_) return Status::FailedPrecondition(std::string(key) + ": already listening");
  StatusOr<ListenAddress> address = ParseListenAddress(listen, key);
  if (!address.ok()) return address.status();
  errno = 0;
  const int port = address->port == 0 ? server->bind_to_any_port(address->host)
                   : server->bind_to_port(address->host, address->port) ? address->port
                                                                        : -1;
  if (port <= 0) {
    const int error = errno;
    std::string message = std::string(key) + ": cannot listen on " + std::string(listen);
    if (error != 0) message += ": " + std::string(std::strerror(error));
    return Status::IoError(message);
  }

  RaiseListenBacklog(port);

  listener_ended_ = false;
  server_ = std::move(server);
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listener_ended_ = true;
  });
  // The socket already queues connections, but httplib's stop() is lost until its accept
  // loop runs: wait for that, so that a Stop() right after Start() works.
  while (!server_->is_running() && !listener_ended_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server_->is_running()) {
    listener_.join();
    server_.reset();
    return Status::IoError(std::string(key) + ": the server on " + std::string(listen) +
                           " stopped right after starting");
  }
  host_ = IsWildcard(address->host) || !IsNumericAddress(address->host) ? "" : address->host;
  port_ = port;
  return port;
}

void HttpListener::Stop() {
  if (!server_) return;
  server_->stop();
  ShutdownAcceptedConnections(host_, port_);
  if (listener_.joinable()) listener_.join();
  server_.reset();
  port_ = 0;
}

}  // namespace customsd
