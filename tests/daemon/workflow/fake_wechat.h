// A small scripted WeChat Pay for workflow tests, behind a FakeTransport: it keeps each
// declaration's state (set by the test), answers declare, query and re-push like WeChat, signs
// every answer, and lets a test intercept any request to inject a fault.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "tests/support/fake_transport.h"

namespace customsd::testing {

class FakeWeChat {
 public:
  using Intercept = std::function<std::optional<TransportResult>(const HttpRequest&)>;

  explicit FakeWeChat(const Clock& clock);

  FakeTransport& transport() { return transport_; }
  // Sets a declaration's state as WeChat reports it ("" sub-order for a plain order).
  void SetState(const std::string& out_trade_no, const std::string& sub_order_no,
                const std::string& state);
  std::optional<std::string> StateOf(const std::string& out_trade_no,
                                     const std::string& sub_order_no) const;
  // Called first for every request; an answer returned here is used instead.
  void SetIntercept(Intercept intercept);
  // At most n records a query page, whatever limit is asked (0 = the asked limit), as a real
  // server may answer; total_count stays the true count.
  void SetPageMax(int n);

  int Count(const std::string& endpoint) const;  // "declare", "query", "redeclare", "modify"

 private:
  TransportResult Handle(const HttpRequest& request);

  const Clock& clock_;
  PlatformSigner platform_;
  FakeTransport transport_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> states_;
  std::map<std::string, int> counts_;
  Intercept intercept_;
  int page_max_ = 0;
};

}  // namespace customsd::testing
