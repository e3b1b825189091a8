#include "daemon/config/intake_options.h"

namespace customsd {

IntakeOptions IntakeOptionsFor(const Config& config, IntakeFormat format) {
  IntakeOptions intake;
  intake.format = format;
  for (const MerchantConfig& m : config.merchants) intake.allowed_mchids.push_back(m.mchid);
  if (config.merchants.size() == 1) {
    intake.default_mchid = config.merchants[0].mchid;
    intake.default_appid = config.merchants[0].appid;
  }
  return intake;
}

}  // namespace customsd
