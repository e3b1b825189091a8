-- What the workflow needs beyond version 1.
-- check_first: the last declare/modify/re-push may or may not have reached WeChat (a timeout,
--   a reset, a crash between sending and recording the answer). It is set *before* a request
--   is sent and cleared when its answer is recorded, so after kill -9 the next step is a query,
--   never a blind resend.
-- failures: consecutive transient failures of the current step (the retry limit counts these).
-- redeclares: re-pushes sent so far (redeclare.max_attempts counts these).
-- poll_started_at: when polling began (Unix ms), for poll.deadline.
ALTER TABLE declarations ADD COLUMN check_first INTEGER NOT NULL DEFAULT 0;
ALTER TABLE declarations ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE declarations ADD COLUMN redeclares INTEGER NOT NULL DEFAULT 0;
ALTER TABLE declarations ADD COLUMN poll_started_at INTEGER;
