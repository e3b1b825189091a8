-- One row the daemon rewrites to prove the database takes writes: at start-up, before it
-- tells systemd it is ready, and while the database is in trouble (full, read-only), until a
-- write commits again. A write, not a read: a file the service user cannot write still reads.
CREATE TABLE storage_probe (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  written_at INTEGER NOT NULL               -- Unix ms of the last probe that committed
);
INSERT INTO storage_probe (id, written_at) VALUES (1, 0);
