#include "tests/mock/mock_freedoms.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <string>
#include <vector>

namespace customsd::mock {
namespace {

using Json = nlohmann::ordered_json;

// The spellings of one error code the pages use, the mock's own first. Codes not listed
// (PARAM_ERROR, INVALID_REQUEST, SIGN_ERROR, ...) have one spelling.
constexpr std::array<std::string_view, 2> kSystemError = {"SYSTEMERROR", "SYSTEM_ERROR"};
constexpr std::array<std::string_view, 3> kRateLimited = {"FREQUENCY_LIMITED", "RATE_LIMITED",
                                                          "RATELIMIT_EXCEEDED"};
constexpr std::array<std::string_view, 2> kNoAuth = {"NOAUTH", "NO_AUTH"};
constexpr std::array<std::string_view, 2> kNotFound = {"ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"};

std::span<const std::string_view> SpellingsOf(std::string_view code) {
  for (std::span<const std::string_view> group :
       {std::span<const std::string_view>(kSystemError),
        std::span<const std::string_view>(kRateLimited), std::span<const std::string_view>(kNoAuth),
        std::span<const std::string_view>(kNotFound)}) {
    if (std::find(group.begin(), group.end(), code) != group.end()) return group;
  }
  return {};
}

// The error texts of the seed pages (verbatim; line numbers as of the 2025.01.07 pages), and
// two Chinese texts that are not from the seeds. A mock message gets one of the texts of its
// family whose prefix it starts with, so a specific refusal keeps a fitting text.
constexpr SeedMessage kSeedMessages[] = {
    // declare-api-en.txt:526 and query-api-en.txt:56 (SYSTEMERROR row).
    {"SYSTEMERROR", "", "System error", "declare-api-en.txt"},
    // Not from the seeds (no Chinese error table there): "system error" in Chinese.
    {"SYSTEMERROR", "", "系统错误", ""},
    // declare-api-en.txt:442 (NOAUTH row) and query-api-en.txt:52 (the same, with a period).
    {"NOAUTH", "", "The merchant has not registered with the current customs",
     "declare-api-en.txt"},
    {"NOAUTH", "", "The merchant has not registered with the current customs.", "query-api-en.txt"},
    // declare-api-en.txt:446: NOAUTH's other reason.
    {"NOAUTH", "", "Self-Clearance is not enabled.", "declare-api-en.txt"},
    // query-api-en.txt:50 (listed under INVALID_REQUEST; any not-found answer may carry it).
    {"NOT_FOUND", "", "Customs declaration record does not exist.", "query-api-en.txt"},
    // Not from the seeds: "customs declaration record does not exist" in Chinese.
    {"NOT_FOUND", "", "报关记录不存在", ""},
    // declare-api-en.txt:500 and query-api-en.txt:54 (PARAM_ERROR row).
    {"PARAM_ERROR", "", "Parameter error", "declare-api-en.txt"},
    // declare-api-en.txt:403 and query-api-zh.txt:151: the pages' error example (which pairs it
    // with INVALID_REQUEST and a schema detail), in English and Chinese.
    {"PARAM_ERROR", "", "Parameter format verification error", "declare-api-en.txt"},
    {"PARAM_ERROR", "", "参数格式校验错误", "query-api-zh.txt"},
    // declare-api-en.txt:520, :512, :484: specific PARAM_ERROR rows.
    {"PARAM_ERROR", "Missing parameters", "Missing parameters in split declaration.",
     "declare-api-en.txt"},
    {"PARAM_ERROR", "Merchant's split", "Merchant's split declaration amount is incorrect.",
     "declare-api-en.txt"},
    {"PARAM_ERROR", "Invalid customs registration", "Invalid customs registration No. length",
     "declare-api-en.txt"},
    // declare-api-en.txt:424 (INVALID_REQUEST row): a re-declare with different content.
    {"INVALID_REQUEST", "The information re-entered",
     "The information re-entered by merchant for customs declaration is different from the "
     "original one",
     "declare-api-en.txt"},
    // declare-api-en.txt:508 (a PARAM_ERROR row there; the mock says INVALID_REQUEST).
    {"INVALID_REQUEST", "Incorrect transaction order information",
     "Incorrect transaction order information", "declare-api-en.txt"},
};

size_t Pick(double u, size_t n) { return std::min(n - 1, static_cast<size_t>(u * n)); }

void Omit(Json& j, const AnswerDraw& draw, std::initializer_list<const char*> names,
          const std::string& where) {
  for (const char* name : names) {
    if (j.contains(name) && draw("omit/" + where + "/" + name) < 0.5) j.erase(name);
  }
}

// "SUCCESS", "success" or "Success": the pages write states in capitals but never say that
// the server always will.
void RecaseState(Json& j, const AnswerDraw& draw, const std::string& where) {
  auto it = j.find("state");
  if (it == j.end() || !it->is_string()) return;
  const double u = draw("state_casing/" + where);
  if (u < 1.0 / 3) return;
  std::string s = it->get<std::string>();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u >= 2.0 / 3 && !s.empty()) s[0] = static_cast<char>(std::toupper(s[0]));
  *it = s;
}

// Unknown fields, first or last: a parser must rely on neither the field set nor the order.
void AddExtras(Json& j, const AnswerDraw& draw) {
  Json extras = {{"mock_extra", {{"note", "an unknown field: ignore it"}, {"n", draw.n}}},
                 {"promotion_detail", Json::array()}};
  if (draw("extra/front") < 0.5) {
    extras.update(j);
    j = std::move(extras);
  } else {
    j.update(extras);
  }
  if (auto data = j.find("data"); data != j.end() && data->is_array()) {
    for (Json& item : *data) {
      if (item.is_object()) item["mock_item_extra"] = "an unknown item field";
    }
  }
}

}  // namespace

std::span<const SeedMessage> SeedMessages() { return kSeedMessages; }

int64_t PageLimit(const MockOptions& o, int64_t asked) {
  return o.page_max > 0 ? std::min<int64_t>(asked, o.page_max) : asked;
}

void ApplyStrictDocs(MockOptions* o, bool keep_page_max) {
  o->freedoms = Freedoms{.omit_optional = true,
                         .extra_fields = true,
                         .state_casing = true,
                         .code_spellings = true,
                         .doc_messages = true};
  if (!keep_page_max) {
    o->page_max = 1 + static_cast<int>(SeededDraw(o->seed, "strict_docs/page_max", "", 0) * 5);
  }
}

bool ShapesSuccess(const Freedoms& f) {
  return f.omit_optional || f.extra_fields || f.state_casing;
}

bool ShapesErrors(const Freedoms& f) { return f.code_spellings || f.doc_messages; }

double AnswerDraw::operator()(std::string_view what) const {
  std::string domain = "freedom/";
  domain += ToString(endpoint);
  domain += '/';
  domain += what;
  return SeededDraw(seed, domain, order_key, n);
}

void ShapeSuccess(const Freedoms& f, const AnswerDraw& draw, Json& body) {
  if (!body.is_object()) return;
  const Endpoint e = draw.endpoint;
  const bool record =
      e == Endpoint::kDeclare || e == Endpoint::kModify || e == Endpoint::kRedeclare;
  Json* data = nullptr;
  if (e == Endpoint::kQuery && body.contains("data") && body["data"].is_array()) {
    data = &body["data"];
  }
  if (f.omit_optional) {
    if (record) {
      Omit(body, draw,
           {"sub_order_id", "explanation", "modify_time", "verify_department",
            "verify_department_trade_id"},
           "answer");
    }
    if (e == Endpoint::kQuery) {
      Omit(body, draw, {"verify_department", "verify_department_trade_id"}, "answer");
    }
    for (size_t i = 0; data != nullptr && i < data->size(); ++i) {
      Omit((*data)[i], draw, {"explanation", "modify_time", "sub_order_id", "duty"},
           "item" + std::to_string(i));
    }
  }
  if (f.state_casing) {
    if (record) RecaseState(body, draw, "answer");
    for (size_t i = 0; data != nullptr && i < data->size(); ++i) {
      RecaseState((*data)[i], draw, "item" + std::to_string(i));
    }
  }
  if (f.extra_fields) AddExtras(body, draw);
}

void ShapeError(const Freedoms& f, const AnswerDraw& draw, FaultKind fault, bool not_found,
                int* status, Json& body) {
  if (!body.is_object() || !body.contains("code") || !body["code"].is_string()) return;
  const std::string code = body["code"].get<std::string>();
  const std::span<const std::string_view> spellings = SpellingsOf(code);
  if (f.doc_messages) {
    const std::string family = not_found           ? "NOT_FOUND"
                               : spellings.empty() ? code
                                                   : std::string(spellings.front());
    const std::string message = body.contains("message") && body["message"].is_string()
                                    ? body["message"].get<std::string>()
                                    : std::string();
    std::vector<std::string_view> texts;
    for (const SeedMessage& m : kSeedMessages) {
      if (m.family == family && message.starts_with(m.prefix)) texts.push_back(m.text);
    }
    if (!texts.empty()) body["message"] = texts[Pick(draw("doc_message"), texts.size())];
  }
  if (f.code_spellings) {
    if (!spellings.empty()) {
      body["code"] = spellings[Pick(draw("code_spelling"), spellings.size())];
    }
    // Seen in practice: SYSTEMERROR with a 4xx status. Only injected system errors, whose
    // request was not applied, so "retry" stays right for them.
    if (fault == FaultKind::kSystemError && draw("systemerror_status") < 1.0 / 3) *status = 400;
  }
}

}  // namespace customsd::mock
