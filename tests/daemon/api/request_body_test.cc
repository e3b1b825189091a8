#include "daemon/api/request_body.h"

#include <gtest/gtest.h>

namespace customsd {
namespace {

TEST(RequestBodyTest, AnArrayBecomesOneLinePerRecord) {
  auto body = ReadDeclarationsBody(R"([{"a": 1}, {"b": "x"}])", "application/json; charset=utf-8");
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ(body->form, BodyForm::kArray);
  EXPECT_EQ(body->jsonl, "{\"a\":1}\n{\"b\":\"x\"}\n");
}

TEST(RequestBodyTest, JsonLinesAreTakenAsTheyAre) {
  auto body = ReadDeclarationsBody("{\"a\":1}\n\n{\"b\":2}", "application/x-ndjson");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->form, BodyForm::kLines);
  EXPECT_EQ(body->jsonl, "{\"a\":1}\n\n{\"b\":2}");
}

TEST(RequestBodyTest, RefusalsNameWhereTheBodyGoesWrong) {
  EXPECT_EQ(ReadDeclarationsBody("{}", "text/plain").status().code(),
            StatusCode::kFailedPrecondition);
  auto not_json = ReadDeclarationsBody("{\"a\": tru}", "application/json");
  EXPECT_NE(not_json.status().message().find("at byte"), std::string::npos);
  auto element = ReadDeclarationsBody("[{}, 2]", "application/json");
  EXPECT_EQ(element.status().message(), "record 1: must be a JSON object");
  auto deep =
      ReadDeclarationsBody(std::string(10000, '[') + std::string(10000, ']'), "application/json");
  EXPECT_NE(deep.status().message().find("nested more than"), std::string::npos);
  auto in_string =
      ReadDeclarationsBody("[{\"a\": \"" + std::string(40, '[') + "\"}]", "application/json");
  EXPECT_TRUE(in_string.ok()) << in_string.status().message();
  auto bad_utf8 = ReadDeclarationsBody("{\"a\": \"\xc3\x28\"}", "application/x-ndjson");
  EXPECT_EQ(bad_utf8.status().message(), "body: not valid UTF-8 at byte 7");
}

}  // namespace
}  // namespace customsd
