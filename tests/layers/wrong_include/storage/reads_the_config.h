// A deliberate layer violation, for the test that the layer check catches one (see
// cmake/check_layers.cmake): storage takes paths, never the daemon's Config.
#pragma once

#include "daemon/config/config.h"
#include "storage/database.h"
