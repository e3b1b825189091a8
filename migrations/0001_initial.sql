-- customsd schema, version 1. Migrations are append-only: never edit a released file, add the
-- next number instead. Times are Unix milliseconds (UTC); the views show them as RFC 3339.

CREATE TABLE declarations (
  id                         INTEGER PRIMARY KEY,
  -- the declare request, exactly as it is sent to WeChat Pay
  appid                      TEXT    NOT NULL,
  mchid                      TEXT    NOT NULL,
  out_trade_no               TEXT    NOT NULL,
  transaction_id             TEXT    NOT NULL,
  customs                    TEXT    NOT NULL,
  merchant_customs_no        TEXT    NOT NULL,
  duty                       INTEGER CHECK (duty IS NULL OR duty >= 0),
  sub_order_no               TEXT    NOT NULL DEFAULT '',   -- '' when the order is not split
  fee_type                   TEXT,
  order_fee                  INTEGER CHECK (order_fee IS NULL OR order_fee >= 0),
  transport_fee              INTEGER CHECK (transport_fee IS NULL OR transport_fee >= 0),
  product_fee                INTEGER CHECK (product_fee IS NULL OR product_fee >= 0),
  -- what WeChat Pay last reported
  sub_order_id               TEXT,
  verify_department          TEXT,
  verify_department_trade_id TEXT,
  explanation                TEXT,
  modify_time                TEXT,
  state                      TEXT    NOT NULL DEFAULT 'UNDECLARED' CHECK (state IN
                               ('UNDECLARED', 'SUBMITTED', 'PROCESSING', 'SUCCESS', 'FAIL', 'EXCEPT')),
  -- what customsd does next
  phase                      TEXT    NOT NULL DEFAULT 'submit' CHECK (phase IN
                               ('submit', 'poll', 'modify', 'redeclare', 'done', 'attention')),
  attempts                   INTEGER NOT NULL DEFAULT 0,
  next_attempt_at            INTEGER NOT NULL,
  last_error_code            TEXT,
  last_error_message         TEXT,
  last_http_status           INTEGER,
  created_at                 INTEGER NOT NULL,
  updated_at                 INTEGER NOT NULL,
  version                    INTEGER NOT NULL DEFAULT 1,
  UNIQUE (mchid, out_trade_no, sub_order_no, customs)
);

-- "What is due now": only unfinished declarations are in this index, so it stays small and
-- the scheduler's range scan stays cheap however many settled rows the table holds.
CREATE INDEX declarations_due ON declarations (next_attempt_at)
  WHERE phase IN ('submit', 'poll', 'modify', 'redeclare');

-- Operators filter by state and phase; settled rows dominate, so index both.
CREATE INDEX declarations_by_phase_state ON declarations (phase, state);

CREATE TABLE events (
  id             INTEGER PRIMARY KEY,
  declaration_id INTEGER NOT NULL REFERENCES declarations (id),
  at             INTEGER NOT NULL,
  kind           TEXT    NOT NULL,
  from_state     TEXT,
  to_state       TEXT,
  from_phase     TEXT,
  to_phase       TEXT,
  http_status    INTEGER,
  error_code     TEXT,
  message        TEXT,
  request_id     TEXT
);
CREATE INDEX events_by_declaration ON events (declaration_id, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;

-- Outbox of alerts to deliver. dedupe_key makes "once per declaration and cause" a constraint.
CREATE TABLE alerts (
  id              INTEGER PRIMARY KEY,
  declaration_id  INTEGER REFERENCES declarations (id),
  mchid           TEXT,
  cause           TEXT    NOT NULL,
  dedupe_key      TEXT    NOT NULL UNIQUE,
  summary         TEXT    NOT NULL,
  details         TEXT,                    -- JSON
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_error      TEXT
);
CREATE INDEX alerts_pending ON alerts (next_attempt_at) WHERE delivered_at IS NULL;

-- Views for operators reading the database with sqlite3.
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
