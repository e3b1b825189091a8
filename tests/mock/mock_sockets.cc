#include "tests/mock/mock_sockets.h"

#include <dirent.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace customsd::mock {
namespace {

bool SameAddress(const sockaddr_storage& sa, socklen_t len, const std::string& addr, int port) {
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&sa), len, host, sizeof(host), serv,
                  sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return false;
  }
  return (addr.empty() || addr == host) && (port < 0 || std::atoi(serv) == port);
}

// Calls `fn(fd, local, local_len, peer, peer_len)` for each connected socket of this process
// until it returns true, and returns that socket (-1 if none). httplib does not hand sockets to
// handlers, so this is how the mock finds the connection behind a request.
template <typename Fn>
int ScanSockets(Fn fn) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_len = sizeof(local);
    socklen_t peer_len = sizeof(peer);
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    if (fn(static_cast<int>(fd), local, local_len, peer, peer_len)) {
      found = static_cast<int>(fd);
      break;
    }
  }
  closedir(dir);
  return found;
}

// The server side of a request's connection: local and peer address both match.
int FindSocket(const httplib::Request& req) {
  return ScanSockets([&](int, const sockaddr_storage& local, socklen_t local_len,
                         const sockaddr_storage& peer, socklen_t peer_len) {
    return SameAddress(peer, peer_len, req.remote_addr, req.remote_port) &&
           SameAddress(local, local_len, req.local_addr, req.local_port);
  });
}

}  // namespace

void ResetConnection(const httplib::Request& req) {
  int fd = req.ssl != nullptr ? SSL_get_fd(req.ssl) : -1;
  if (fd < 0) fd = FindSocket(req);
  if (fd < 0) return;
  // connect(AF_UNSPEC) on a connected TCP socket aborts it: the peer gets an RST at once.
  // httplib's own write then fails and it closes the descriptor as usual.
  linger no_linger{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger));
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  if (connect(fd, &unspec, sizeof(unspec)) != 0) shutdown(fd, SHUT_RDWR);
}

void ShutdownAcceptedConnections(int port) {
  for (int fd : AcceptedSockets(port)) shutdown(fd, SHUT_RDWR);
}

std::vector<int> AcceptedSockets(int port) {
  std::vector<int> fds;
  ScanSockets([&](int fd, const sockaddr_storage& local, socklen_t local_len,
                  const sockaddr_storage&, socklen_t) {
    if (SameAddress(local, local_len, "", port)) fds.push_back(fd);
    return false;
  });
  return fds;
}

}  // namespace customsd::mock
