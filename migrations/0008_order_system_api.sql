-- The order systems' API (issue 11): POST /v1/declarations with an Idempotency-Key header
-- answers a repeat of the same key with the first answer, kept here for a day.
CREATE TABLE api_idempotency (
  idempotency_key TEXT PRIMARY KEY,
  request_sha256  TEXT NOT NULL,     -- of the method, path and body: a reuse with another body is refused
  status          INTEGER NOT NULL,  -- the HTTP status first answered
  body            TEXT NOT NULL,     -- the JSON first answered
  created_at      INTEGER NOT NULL   -- Unix ms; rows older than a day are deleted
) STRICT;

-- Result notifications ([[notify]]): the outbox is the events table itself. An event that
-- settles a declaration, asks for a person or records an accepted re-push is a notification;
-- it was written in the same transaction as the change, so none can be lost. Each receiver
-- keeps a cursor: every notification up to delivered_event_id was answered 2xx.
CREATE VIEW notifications AS
SELECT e.id AS event_id, e.declaration_id, e.at,
       CASE
         WHEN e.kind = 'redeclared' THEN 'declaration.redeclared'
         WHEN e.to_phase = 'attention' THEN 'declaration.attention'
         WHEN e.to_state = 'SUCCESS' THEN 'declaration.succeeded'
         ELSE 'declaration.failed'
       END AS type
FROM events e
WHERE e.kind = 'redeclared'
   OR (e.to_phase = 'attention' AND e.from_phase IS NOT 'attention')
   OR (e.to_phase = 'done' AND e.from_phase IS NOT 'done' AND e.to_state IN ('SUCCESS', 'FAIL'));

CREATE TABLE notify_cursors (
  receiver           TEXT PRIMARY KEY,  -- the [[notify]] url's scheme, host and path (no query)
  delivered_event_id INTEGER NOT NULL,  -- notifications up to this event were answered 2xx
  failures           INTEGER NOT NULL DEFAULT 0,  -- consecutive failed attempts
  next_attempt_at    INTEGER NOT NULL DEFAULT 0,  -- Unix ms
  last_error         TEXT                         -- NULL after a success
) STRICT;
