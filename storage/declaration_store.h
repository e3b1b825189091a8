// DeclarationStore: declarations and their event history in SQLite.
//
// Contract:
// - Add() is all-or-nothing: either every new declaration of the batch is stored (each with a
//   "created" event) or, when any record conflicts with a stored one, nothing is.
//   A record identical to the stored one under the same key is reported kAlreadyPresent and
//   changes nothing.
// - Transition() is the only way state and phase change. It names the state, phase and version
//   it expects; when another writer got there first it returns kConflict and changes nothing.
//   The update and its event row commit in one transaction.
// - Errors are Status values; no exception leaves this class.
//
// Thread safety: as Database (one connection, one thread at a time).
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/declaration.h"
#include "common/status.h"
#include "storage/alert_store.h"
#include "storage/database.h"
#include "storage/declaration_record.h"

namespace customsd {

enum class AddResult { kAdded, kAlreadyPresent, kConflict };

struct AddReport {
  std::vector<AddResult> results;  // one per input record, in order
  std::vector<int64_t> ids;        // the stored declaration of each (when not committed, the
                                   // conflicting one's; 0 for a record that was not stored)
  bool committed = false;          // false when any record conflicted: nothing was stored
};

struct ListFilter {
  std::optional<State> state;
  std::optional<Phase> phase;
  std::string mchid;           // "" = any
  std::string out_trade_no;    // "" = any
  std::string transaction_id;  // "" = any
  std::optional<std::string> sub_order_no;
  std::string customs;               // "" = any
  std::optional<int64_t> id;         // exactly this declaration
  std::optional<int64_t> before_id;  // id < before_id: the next page of a newest-first list
  std::optional<int64_t> created_since, created_until;  // Unix ms: since <= created_at < until
  int limit = 0;                                        // 0 = no limit
};

// What a guarded update expects to find.
struct Guard {
  State state;
  Phase phase;
  int64_t version;
};
inline Guard GuardOf(const DeclarationRecord& r) { return {r.state, r.phase, r.version}; }

// The columns an update changes; unset members stay as they are.
struct DeclarationUpdate {
  std::optional<State> state;
  std::optional<Phase> phase;
  std::optional<int> attempts;
  std::optional<int64_t> next_attempt_at;
  std::optional<std::string> sub_order_id;
  std::optional<std::string> verify_department;
  std::optional<std::string> verify_department_trade_id;
  std::optional<std::string> explanation;
  std::optional<std::string> modify_time;
  // Set together; an empty code clears the last error.
  std::optional<std::string> last_error_code;
  std::optional<std::string> last_error_message;
  std::optional<std::optional<int>> last_http_status;
  std::optional<bool> check_first;
  std::optional<int> failures;
  std::optional<int> redeclares;
  std::optional<int64_t> poll_started_at;
};

struct EventDetails {
  std::string kind;
  std::optional<int> http_status;
  std::string error_code;
  std::string message;
  std::string request_id;
};

// What one transition writes: the row's update, its event, and the alert it raises, if any.
// The rules decide it (daemon/workflow/rules.h); DeclarationStore::Apply writes it.
struct Decision {
  DeclarationUpdate update;
  EventDetails event;
  std::optional<NewAlert> alert;
};

// How a unit of work commits: kSynced is on disk when it returns; kLazy survives a crash of the
// process, and a power loss may undo it until the next synced commit (TransactionWriter).
enum class Durability { kSynced, kLazy };

struct StoreStats {
  struct Count {
    State state;
    Phase phase;
    int64_t declarations;
  };
  std::vector<Count> counts;  // by state, then phase
  struct MerchantCount {
    std::string mchid, customs;
    State state;
    Phase phase;
    int64_t declarations;
  };
  std::vector<MerchantCount> by_merchant_customs;  // by mchid, customs, state, phase
  int64_t total = 0;
  std::optional<int64_t> oldest_unfinished_created_at;  // Unix ms
  int64_t alerts_pending = 0;  // not delivered yet, digest-held ones included
  int64_t alerts_delivered = 0;
  int64_t alerts_held = 0;                // not delivered, waiting for their digest
  int64_t notifications_undelivered = 0;  // past their receiver's cursor, all receivers
  int64_t notify_receivers_failing = 0;   // receivers whose last attempt failed
  struct Receiver {
    std::string receiver;  // the [[notify]] url's scheme, host and path (notify_cursors)
    int64_t undelivered = 0;
    int64_t failures = 0;  // consecutive failed attempts
  };
  std::vector<Receiver> receivers;  // by receiver; the two sums above are over these
};

class DeclarationStore {
 public:
  DeclarationStore(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  StatusOr<AddReport> Add(const std::vector<DeclarationFields>& batch);
  // Add() as one write through `writer`: with a GroupWriter, adds from many threads share a
  // commit (each in its own savepoint, so a conflicting batch is rolled back alone).
  static StatusOr<AddReport> AddThrough(TransactionWriter& writer, int64_t now_ms,
                                        const std::vector<DeclarationFields>& batch);

  StatusOr<std::optional<DeclarationRecord>> Find(const DeclarationKey& key);
  StatusOr<DeclarationRecord> Get(int64_t id);
  // Newest first.
  StatusOr<std::vector<DeclarationRecord>> List(const ListFilter& filter);
  // Oldest first.
  StatusOr<std::vector<Event>> Events(int64_t declaration_id);
  // One read: the counts come from one scan of the covering index by merchant and customs.
  StatusOr<StoreStats> Stats();
  // Declarations created at or after each of `since_ms` (Unix ms), one count per entry, from
  // the created_at index.
  StatusOr<std::vector<int64_t>> CountCreatedSince(const std::vector<int64_t>& since_ms);
  // Unfinished declarations whose last send may have reached WeChat unrecorded (check_first):
  // what a stop in the middle of a request leaves, each queried before anything is sent again.
  StatusOr<int64_t> CountDoubtfulSends();

  // Unfinished declarations whose next attempt is due at `now_ms`, oldest due first, but for
  // those in `skip` (the engine's running ones), which are passed over in the index without
  // their rows being read.
  StatusOr<std::vector<DeclarationRecord>> Due(int64_t now_ms, int limit,
                                               const std::set<int64_t>& skip = {});
  // How many declarations are in any of `phases` (an index range count, cheap at any size).
  StatusOr<int64_t> CountInPhases(std::initializer_list<Phase> phases);
  // When the next unfinished declaration falls due; nullopt when none is unfinished.
  StatusOr<std::optional<int64_t>> NextDueAt();
  // The unfinished declarations of one order at one customs: what one query by out_trade_no
  // answers for.
  StatusOr<std::vector<DeclarationRecord>> OrderGroup(const std::string& mchid,
                                                      const std::string& out_trade_no,
                                                      const std::string& customs);

  Status Transition(int64_t id, const Guard& guard, const DeclarationUpdate& update,
                    const EventDetails& event);

  // The same, inside a transaction the caller already holds (see Database::Write), so several
  // declarations can change together.
  static Status TransitionIn(SQLite::Database& sql, int64_t now_ms, int64_t id, const Guard& guard,
                             const DeclarationUpdate& update, const EventDetails& event);

  // One decision as one transaction through `writer` (a Database or the engine's group writer):
  // the guarded transition, its event and its alert commit together or not at all. kConflict
  // when the guard no longer holds (another writer came first).
  static Status Apply(TransactionWriter& writer, Durability durability, int64_t now_ms, int64_t id,
                      const Guard& guard, const Decision& decision);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace customsd
