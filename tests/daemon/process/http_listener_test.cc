#include "daemon/process/http_listener.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <optional>

namespace customsd {
namespace {

// The listening socket of this process bound to `port`, found in /proc/self/fd.
std::optional<int> ListeningSocketOn(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::optional<int> found;
  while (dirent* e = readdir(dir)) {
    const int fd = std::atoi(e->d_name);
    if (fd <= 2) continue;
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_in addr{};
    len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
        addr.sin_family == AF_INET && ntohs(addr.sin_port) == port) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

// Clients that connect at once (an order system's workers starting together) must each be
// taken at once: a SYN the accept queue drops costs its client the kernel's 1 s retransmit,
// which was the whole of the API's slowest posts. Linux reports a listening socket's
// backlog in TCP_INFO's tcpi_sacked.
TEST(HttpListenerTest, TheAcceptQueueTakesABurstOfClientsWithoutDroppingOne) {
  auto server = std::make_unique<httplib::Server>();
  PrepareServer(*server, 16);
  server->Get("/", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  HttpListener listener;
  StatusOr<int> port = listener.Start(std::move(server), "127.0.0.1:0", "api.listen");
  ASSERT_TRUE(port.ok()) << port.status().message();
  std::optional<int> fd = ListeningSocketOn(*port);
  ASSERT_TRUE(fd.has_value()) << "no listening socket on port " << *port;
  tcp_info info{};
  socklen_t len = sizeof(info);
  ASSERT_EQ(getsockopt(*fd, IPPROTO_TCP, TCP_INFO, &info, &len), 0);
  EXPECT_GE(info.tcpi_sacked, 128u) << "listen backlog";
  listener.Stop();
}

}  // namespace
}  // namespace customsd
