// What the config says about taking declarations in, for every front end (`customsd declare`,
// the API): the merchants a declaration may name, and the mchid/appid a record may leave out
// when there is only one merchant.
#pragma once

#include "daemon/config/config.h"
#include "daemon/intake/intake.h"

namespace customsd {

IntakeOptions IntakeOptionsFor(const Config& config, IntakeFormat format);

}  // namespace customsd
