-- The last good set of WeChat Pay platform certificates per merchant, so a restart while WeChat
-- is unreachable can still verify responses. Certificates are public: nothing secret here.
CREATE TABLE platform_certificates (
  mchid           TEXT    NOT NULL,
  serial_no       TEXT    NOT NULL,
  effective_at    INTEGER,           -- Unix ms
  expire_at       INTEGER NOT NULL,  -- Unix ms
  certificate_pem TEXT    NOT NULL,
  fetched_at      INTEGER NOT NULL,  -- Unix ms
  PRIMARY KEY (mchid, serial_no)
);
