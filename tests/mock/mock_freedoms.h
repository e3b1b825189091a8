// The freedoms WeChat's pages leave the real server, applied to the mock's answers before they
// are signed (MockOptions::page_max and MockOptions::freedoms).
//
// The mock was first built from what our client expects, so the two shared blind spots (the
// mock always honoured the `limit` asked for; the real server caps pages). These functions make
// the mock take the latitude WeChat's own API pages (the seeds, ../shared/reference/seeds/ from
// the repository) allow, so a client that relies on more than the docs promise fails here.
//
// Every choice is a seeded draw from (seed, endpoint, order key, n) (AnswerDraw), n being the
// per-order request count the fault decisions use too: a run reproduces under one seed whatever
// the thread interleaving.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "tests/mock/mock_faults.h"
#include "tests/mock/mock_options.h"
#include "tests/mock/mock_stats.h"

namespace customsd::mock {

// The records one query page holds: `asked`, capped by MockOptions::page_max. It is also the
// `limit` the answer reports (the server's own, not the client's).
int64_t PageLimit(const MockOptions& o, int64_t asked);

// --strict-docs: every freedom on, and page_max a seeded value in [1, 5] unless `keep_page_max`
// (the user gave --page-max).
void ApplyStrictDocs(MockOptions* o, bool keep_page_max);

// True when some freedom changes 2xx bodies / error answers, i.e. they must be parsed.
bool ShapesSuccess(const Freedoms& f);
bool ShapesErrors(const Freedoms& f);

// The draws of one answer.
struct AnswerDraw {
  uint64_t seed = 1;
  Endpoint endpoint = Endpoint::kUnknown;
  std::string_view order_key;
  uint64_t n = 0;

  // A uniform draw in [0, 1) for the choice named `what` (e.g. "omit/duty/3").
  double operator()(std::string_view what) const;
};

// An error message text the mock may send with doc_messages, and where it comes from.
struct SeedMessage {
  std::string_view family;  // "SYSTEMERROR", "NOAUTH", "NOT_FOUND", "PARAM_ERROR", ...
  std::string_view prefix;  // only for mock messages starting so ("" = any of the family)
  std::string_view text;
  std::string_view seed;  // the seed file holding `text` verbatim; "" = not from the seeds
};
std::span<const SeedMessage> SeedMessages();

// Applies the 2xx freedoms (omit_optional, extra_fields, state_casing) to a 2xx JSON body.
void ShapeSuccess(const Freedoms& f, const AnswerDraw& draw, nlohmann::ordered_json& body);

// Applies the error freedoms (code_spellings, doc_messages) to an error body {"code",
// "message", ...} and its HTTP status. `fault` is the injected fault the answer stands for
// (kNone for a real refusal); `not_found` marks an answer meaning "no such record".
void ShapeError(const Freedoms& f, const AnswerDraw& draw, FaultKind fault, bool not_found,
                int* status, nlohmann::ordered_json& body);

}  // namespace customsd::mock
