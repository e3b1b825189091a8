#include "daemon/merchants/merchant_directory.h"

namespace customsd {

void MerchantDirectory::Replace(std::vector<std::shared_ptr<MerchantApi>> apis) {
  std::map<std::string, std::shared_ptr<MerchantApi>> next;
  for (auto& api : apis) next[api->merchant.mchid] = std::move(api);
  std::lock_guard<std::mutex> lock(mu_);
  apis_.swap(next);
}

std::shared_ptr<MerchantApi> MerchantDirectory::Find(const std::string& mchid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apis_.find(mchid);
  return it == apis_.end() ? nullptr : it->second;
}

std::shared_ptr<CustomsClient> MerchantDirectory::FindClient(const std::string& mchid) const {
  std::shared_ptr<MerchantApi> api = Find(mchid);
  if (api == nullptr) return nullptr;
  CustomsClient* client = api->customs.get();
  return std::shared_ptr<CustomsClient>(std::move(api), client);  // aliasing: owns the Api
}

std::vector<std::shared_ptr<MerchantApi>> MerchantDirectory::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<MerchantApi>> out;
  for (const auto& [mchid, api] : apis_) out.push_back(api);
  return out;
}

}  // namespace customsd
