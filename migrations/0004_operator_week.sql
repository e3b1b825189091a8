-- What an operator's first week needs beyond version 3.
--
-- 1. A 'cancelled' phase: an order refunded before customs decided is taken out of the workflow
--    by `customsd cancel`, kept with its history. SQLite cannot change a CHECK constraint in
--    place, so the table is rebuilt (the 12 steps of https://sqlite.org/lang_altertable.html;
--    the migrator runs every migration with foreign keys off and checks them before the commit).
--    The views that read the table are dropped first and made again below.
DROP VIEW needs_attention;
DROP VIEW counts_by_state_phase;
DROP VIEW events_readable;
DROP VIEW declarations_readable;

CREATE TABLE declarations_v4 (
  id                         INTEGER PRIMARY KEY,
  appid                      TEXT    NOT NULL,
  mchid                      TEXT    NOT NULL,
  out_trade_no               TEXT    NOT NULL,
  transaction_id             TEXT    NOT NULL,
  customs                    TEXT    NOT NULL,
  merchant_customs_no        TEXT    NOT NULL,
  duty                       INTEGER CHECK (duty IS NULL OR duty >= 0),
  sub_order_no               TEXT    NOT NULL DEFAULT '',
  fee_type                   TEXT,
  order_fee                  INTEGER CHECK (order_fee IS NULL OR order_fee >= 0),
  transport_fee              INTEGER CHECK (transport_fee IS NULL OR transport_fee >= 0),
  product_fee                INTEGER CHECK (product_fee IS NULL OR product_fee >= 0),
  sub_order_id               TEXT,
  verify_department          TEXT,
  verify_department_trade_id TEXT,
  explanation                TEXT,
  modify_time                TEXT,
  state                      TEXT    NOT NULL DEFAULT 'UNDECLARED' CHECK (state IN
                               ('UNDECLARED', 'SUBMITTED', 'PROCESSING', 'SUCCESS', 'FAIL', 'EXCEPT')),
  phase                      TEXT    NOT NULL DEFAULT 'submit' CHECK (phase IN
                               ('submit', 'poll', 'modify', 'redeclare', 'done', 'attention',
                                'cancelled')),
  attempts                   INTEGER NOT NULL DEFAULT 0,
  next_attempt_at            INTEGER NOT NULL,
  last_error_code            TEXT,
  last_error_message         TEXT,
  last_http_status           INTEGER,
  created_at                 INTEGER NOT NULL,
  updated_at                 INTEGER NOT NULL,
  version                    INTEGER NOT NULL DEFAULT 1,
  check_first                INTEGER NOT NULL DEFAULT 0,
  failures                   INTEGER NOT NULL DEFAULT 0,
  redeclares                 INTEGER NOT NULL DEFAULT 0,
  poll_started_at            INTEGER,
  UNIQUE (mchid, out_trade_no, sub_order_no, customs)
);
INSERT INTO declarations_v4 (
  id, appid, mchid, out_trade_no, transaction_id, customs, merchant_customs_no, duty,
  sub_order_no, fee_type, order_fee, transport_fee, product_fee, sub_order_id, verify_department,
  verify_department_trade_id, explanation, modify_time, state, phase, attempts, next_attempt_at,
  last_error_code, last_error_message, last_http_status, created_at, updated_at, version,
  check_first, failures, redeclares, poll_started_at)
SELECT
  id, appid, mchid, out_trade_no, transaction_id, customs, merchant_customs_no, duty,
  sub_order_no, fee_type, order_fee, transport_fee, product_fee, sub_order_id, verify_department,
  verify_department_trade_id, explanation, modify_time, state, phase, attempts, next_attempt_at,
  last_error_code, last_error_message, last_http_status, created_at, updated_at, version,
  check_first, failures, redeclares, poll_started_at
FROM declarations;
DROP TABLE declarations;
ALTER TABLE declarations_v4 RENAME TO declarations;

CREATE INDEX declarations_due ON declarations (next_attempt_at)
  WHERE phase IN ('submit', 'poll', 'modify', 'redeclare');
CREATE INDEX declarations_by_phase_state ON declarations (phase, state);
-- `list --since/--until` and the operators' "today" view read by creation time.
CREATE INDEX declarations_by_created ON declarations (created_at);

-- 2. Alerts an operator has seen (`customsd alerts --ack`): delivery goes on regardless; the
--    acknowledgement only takes the alert off the open list.
ALTER TABLE alerts ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;

-- 3. The operators' views (docs/database.md describes every column).
CREATE VIEW declarations_readable AS
SELECT id, mchid, appid, out_trade_no, sub_order_no, customs, transaction_id,
       merchant_customs_no, state, phase, attempts, explanation,
       last_error_code, last_error_message, last_http_status,
       strftime('%Y-%m-%dT%H:%M:%SZ', next_attempt_at / 1000, 'unixepoch') AS next_attempt_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', created_at / 1000, 'unixepoch') AS created_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', updated_at / 1000, 'unixepoch') AS updated_at
FROM declarations;

CREATE VIEW needs_attention AS
SELECT * FROM declarations_readable WHERE phase = 'attention' OR state = 'FAIL';

CREATE VIEW counts_by_state_phase AS
SELECT state, phase, count(*) AS declarations
FROM declarations GROUP BY state, phase ORDER BY state, phase;

CREATE VIEW events_readable AS
SELECT e.id, e.declaration_id, d.mchid, d.out_trade_no, d.sub_order_no, d.customs,
       strftime('%Y-%m-%dT%H:%M:%SZ', e.at / 1000, 'unixepoch') AS at,
       e.kind, e.from_state, e.to_state, e.from_phase, e.to_phase,
       e.http_status, e.error_code, e.message, e.request_id
FROM events e JOIN declarations d ON d.id = e.declaration_id;

CREATE VIEW alerts_readable AS
SELECT id, cause, mchid, declaration_id, summary,
       strftime('%Y-%m-%dT%H:%M:%SZ', created_at / 1000, 'unixepoch') AS created_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', delivered_at / 1000, 'unixepoch') AS delivered_at,
       attempts, last_error,
       strftime('%Y-%m-%dT%H:%M:%SZ', acknowledged_at / 1000, 'unixepoch') AS acknowledged_at,
       acknowledged_by
FROM alerts;

CREATE VIEW open_alerts AS
SELECT * FROM alerts_readable WHERE acknowledged_at IS NULL ORDER BY id;

-- "Today" is the UTC day, like every time the views show.
CREATE VIEW today_by_state AS
SELECT state, phase, count(*) AS declarations
FROM declarations
WHERE created_at >= CAST(strftime('%s', 'now', 'start of day') AS INTEGER) * 1000
GROUP BY state, phase ORDER BY state, phase;

CREATE VIEW waiting_longest AS
SELECT id, mchid, out_trade_no, sub_order_no, customs, state, phase, attempts,
       last_error_code, last_error_message,
       strftime('%Y-%m-%dT%H:%M:%SZ', created_at / 1000, 'unixepoch') AS created_at,
       (CAST(strftime('%s', 'now') AS INTEGER) * 1000 - created_at) / 1000 AS waiting_seconds
FROM declarations
WHERE phase IN ('submit', 'poll', 'modify', 'redeclare', 'attention')
ORDER BY created_at, id;
