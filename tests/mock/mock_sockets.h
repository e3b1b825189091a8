// The socket-level faults of the fake WeChat Pay server. httplib does not hand a connection's
// socket to handlers, so these find it among the process's descriptors by its addresses
// (/proc/self/fd + getsockname/getpeername). Linux only, like the project.
#pragma once

#include <httplib.h>

#include <vector>

namespace customsd::mock {

// Severs the connection `req` came on with a TCP reset, before any response byte: HTTP (found
// by its addresses) and HTTPS (req.ssl). httplib's own write then fails and it closes the
// descriptor as usual.
void ResetConnection(const httplib::Request& req);

// Shuts down every connection accepted on `port`. httplib keeps an idle keep-alive connection
// open for its whole keep-alive timeout, even after stop(); this wakes those threads so that
// MockServer::Stop() is prompt whatever the clients do.
void ShutdownAcceptedConnections(int port);

// The descriptors of this process's connections accepted on `port` (its server side).
std::vector<int> AcceptedSockets(int port);

}  // namespace customsd::mock
