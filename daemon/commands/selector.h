// What the operator commands (retry, redeclare, modify) share: how they say which declarations
// they act on, and how they apply and report their changes.
//
// A selector is one of two forms, never both:
//   ORDER [--sub-order-no X] [--customs C] [--mchid M]   one declaration, resolved like `show`:
//                                                         several matches are bad input (exit 2)
//                                                         and the candidates are listed
//   --state S and/or --phase P [--customs C] [--mchid M]  every declaration that matches
//
// Changes follow "the daemon performs the API call; the command records the intent": each
// declaration changes in its own guarded transition (DeclarationStore::Transition, or
// UpdateFieldsAndTransition when fields change too), so each one changes completely or not at
// all. A declaration the daemon moved meanwhile is reported ("changed meanwhile; run the command
// again") and makes the exit code 1; the others still change.
//
// Output: stdout gets one line per changed declaration and a count, or with --json the changed
// records as a JSON array. Notes about declarations left alone and errors go to stderr. With
// --dry-run nothing is written and stdout shows what would change.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/commands/command_context.h"
#include "storage/declaration_store.h"

namespace customsd {

struct SelectorOptions {
  std::string out_trade_no;  // ORDER; "" = the filter form
  std::optional<std::string> sub_order_no;
  std::string customs, mchid;
  std::string state, phase;  // the filter form
  bool json = false;
  bool dry_run = false;
};

enum class SelectorForms { kOneOrFilter, kOneOnly };

// Adds ORDER, --sub-order-no, --customs, --mchid, --state, --phase, --json and --dry-run. With
// kOneOnly, --state and --phase are left out of --help (CheckSelector refuses them clearly).
void AddSelectorOptions(CLI::App& cmd, SelectorOptions& opt, SelectorForms forms);

// The selector's form and names, checked before anything is opened. kInvalidInput when both or
// neither form is given, --sub-order-no comes without ORDER, a state or phase is unknown, or a
// filter is given where only one declaration may be named (`command` names the command then).
Status CheckSelector(const SelectorOptions& opt, SelectorForms forms, const std::string& command);

// The declarations the selector names, newest first: with ORDER none or one (more is
// kInvalidInput, its message listing the candidates one per line); with a filter every match.
StatusOr<std::vector<DeclarationRecord>> SelectDeclarations(DeclarationStore& store,
                                                            const SelectorOptions& opt);

// What a command decided for one declaration.
struct Plan {
  std::string skip;  // not empty: left alone, and this says why
  Status error;      // not ok: could not decide (reported, exit 1)
  DeclarationUpdate update;
  EventDetails event;
  std::optional<DeclarationFields> fields;  // new field values (modify)
  std::string detail;                       // appended to "attention -> poll" in the output
};
using Planner = std::function<Plan(const DeclarationRecord&)>;

// How a command words its count: "retry: 3 declarations put back to work".
struct Wording {
  std::string command;  // "retry"
  std::string done;     // "put back to work"
  std::string would;    // "would be put back to work"
};

// Plans and applies the change of every record, one guarded transaction each (none with
// --dry-run), and reports as described above. Returns the exit code: 1 when any declaration
// changed meanwhile or could not be written, else 0. Prints "no declarations match" (or "[]")
// when `records` is empty.
int ApplyPlans(CommandEnv& env, Database& db, const std::vector<DeclarationRecord>& records,
               const Planner& planner, const SelectorOptions& opt, const Wording& wording);

// The whole of retry and redeclare: checks the selector, opens the database, selects, applies.
int RunSelectedChange(CommandEnv& env, const SelectorOptions& opt, const Wording& wording,
                      const std::function<Planner(DeclarationStore&)>& make_planner);

// "1230000109/P1/-/SHANGHAI_ZS (id 7)": how the operator commands name a declaration.
std::string NameOf(const DeclarationRecord& r);

// True when the declaration entered `attention` from phase `modify`: WeChat has not confirmed
// the modification whose values the row holds, so a retry must send it again (not just poll),
// and a re-push must wait. Reads the event history.
StatusOr<bool> ModificationUnconfirmed(DeclarationStore& store, const DeclarationRecord& r);

}  // namespace customsd
