-- Alerts held back by the flood limit ([alerts] digest = "daily"): they wait, pending, for the
-- next daily digest (next_attempt_at is its time) and then go out together in one message per
-- channel. 0 = sent one by one, as before.
ALTER TABLE alerts ADD COLUMN in_digest INTEGER NOT NULL DEFAULT 0 CHECK (in_digest IN (0, 1));

-- The flood limit counts the alerts sent one by one in the last hour.
CREATE INDEX alerts_by_delivered ON alerts (delivered_at) WHERE delivered_at IS NOT NULL;
