// MerchantDirectory: the MerchantApi of every configured merchant, swappable as a whole on
// reload. Workers look a client up per job; a swap never pulls an Api from under a running
// job, because lookups hand out shared ownership.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/merchants/merchant_api.h"

namespace customsd {

class MerchantDirectory {
 public:
  void Replace(std::vector<std::shared_ptr<MerchantApi>> apis);
  std::shared_ptr<MerchantApi> Find(const std::string& mchid) const;
  // The merchant's customs client, sharing ownership of its whole MerchantApi (the client
  // calls through its caller, signer and keys); nullptr when the merchant is not configured.
  std::shared_ptr<CustomsClient> FindClient(const std::string& mchid) const;
  std::vector<std::shared_ptr<MerchantApi>> All() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<MerchantApi>> apis_;
};

}  // namespace customsd
