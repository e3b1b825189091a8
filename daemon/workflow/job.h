// A unit of work the scheduler hands to a worker: one declaration's step, or one query that
// serves every due declaration of the same order at the same customs.
#pragma once

#include <string>
#include <vector>

#include "storage/declaration_record.h"

namespace customsd {

struct Job {
  enum class Kind { kSubmit, kPoll, kModify, kRedeclare };
  Kind kind = Kind::kSubmit;
  std::vector<DeclarationRecord> records;  // kPoll: the group; otherwise exactly one
  bool probe = false;  // the one job a hold lets through per probe interval

  const std::string& mchid() const { return records.front().fields.mchid; }
  const std::string& customs() const { return records.front().fields.customs; }
  // Sends something to WeChat (a declare, modification or re-push), not only asks.
  bool sends() const { return kind != Kind::kPoll; }
};

}  // namespace customsd
