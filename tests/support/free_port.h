// A loopback TCP port that was free a moment ago, for a config that must name its port before
// the process that binds it starts (the daemon's [api] and [metrics] refuse port 0). The port
// is only probably still free when used; tests that start servers in-process bind port 0.
#pragma once

namespace customsd::testing {

// 0 when no port could be had.
int FreePort();

}  // namespace customsd::testing
