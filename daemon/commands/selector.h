// What the operator commands (retry, redeclare, modify) share: how they say which declarations
// they act on, and how they apply and report their changes.
//
// A selector is one of two forms, never both:
//   ID, or --id ID                                        one declaration, by the id `list` shows
//   ORDER [--sub-order-no X] [--customs C] [--mchid M]   one declaration, resolved like `show`:
//                                                         several matches are bad input (exit 2)
//                                                         and the candidates are listed
//   --state S and/or --phase P [--customs C] [--mchid M]  every declaration that matches
// A positional of digits only may be an ID or an out_trade_no (order numbers are often digits):
// it names whichever exists; when both exist and differ it is bad input, and --id or
// --sub-order-no/--customs/--mchid tell them apart. One declaration that does not exist is
// kNotFound (exit 3).
//
// A filter may change many declarations at once: unless --yes, the command first says how many
// it would change and asks on a terminal ("[y/N]"); off a terminal (a script, a pipe) it refuses
// with exit 2 and changes nothing, so a mistyped filter in a cron job cannot touch thousands.
//
// Changes follow "the daemon performs the API call; the command records the intent": each
// declaration changes in its own guarded transition (DeclarationStore::Transition, or
// UpdateFieldsAndTransition when fields change too), so each one changes completely or not at
// all. A declaration the daemon moved meanwhile is reported ("changed meanwhile; run the command
// again") and makes the exit code 1; the others still change.
//
// Output: stdout gets one line per changed declaration and a count, or with -o json/jsonl/csv
// the changed records. Notes about declarations left alone and errors go to stderr. With
// --dry-run nothing is written and stdout shows what would change.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/commands/command_context.h"
#include "daemon/workflow/operator_rules.h"
#include "storage/declaration_store.h"

namespace customsd {

struct SelectorOptions {
  std::string out_trade_no;   // ORDER (or ID, see above); "" = the filter form
  std::optional<int64_t> id;  // --id
  std::optional<std::string> sub_order_no;
  std::string customs, mchid;
  std::string state, phase;  // the filter form
  bool dry_run = false;
  bool yes = false;  // --yes: a filter's change goes ahead without asking

  bool one() const { return id.has_value() || !out_trade_no.empty(); }
};

enum class SelectorForms { kOneOrFilter, kOneOnly };

// Adds ID/ORDER, --id, --sub-order-no, --customs, --mchid (alias --merchant), --state, --phase,
// --dry-run, --yes and the output options. With kOneOnly, --state and --phase are left out of
// --help (CheckSelector refuses them clearly).
void AddSelectorOptions(CLI::App& cmd, CommandEnv& env, SelectorOptions& opt, SelectorForms forms);

// The selector's form and names, checked before anything is opened. kInvalidInput when both or
// neither form is given, --sub-order-no comes without ORDER, a state or phase is unknown, or a
// filter is given where only one declaration may be named (`command` names the command then).
Status CheckSelector(const SelectorOptions& opt, SelectorForms forms, const std::string& command);

// The declarations the selector names, newest first: with ID or ORDER exactly one (none is
// kNotFound; more is kInvalidInput, its message listing the candidates one per line); with a
// filter every match.
StatusOr<std::vector<DeclarationRecord>> SelectDeclarations(DeclarationStore& store,
                                                            const SelectorOptions& opt);

// What a command decided for one declaration: the workflow's operator rules.
using Planner = std::function<OperatorPlan(const DeclarationRecord&)>;

// How a command words its count: "retry: 3 declarations put back to work".
struct Wording {
  std::string command;  // "retry"
  std::string done;     // "put back to work"
  std::string would;    // "would be put back to work"
};

// Plans and applies the change of every record, one guarded transaction each (none with
// --dry-run), and reports as described above. A filter's change is confirmed first (see
// above). Returns the exit code: 1 when any declaration changed meanwhile or could not be
// written, or the operator said no; 2 when confirmation was needed off a terminal; else 0.
// Prints "no declarations match" (or "[]") when `records` is empty.
int ApplyPlans(CommandEnv& env, Database& db, const std::vector<DeclarationRecord>& records,
               const Planner& planner, const SelectorOptions& opt, const Wording& wording);

// The whole of retry and redeclare: checks the selector, opens the database, selects, applies.
int RunSelectedChange(CommandEnv& env, const SelectorOptions& opt, const Wording& wording,
                      const std::function<Planner(DeclarationStore&)>& make_planner);

// "1230000109/P1/-/SHANGHAI_ZS (id 7)": how the operator commands name a declaration.
std::string NameOf(const DeclarationRecord& r);

}  // namespace customsd
