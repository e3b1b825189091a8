-- Hand edits with sqlite3 are caught (issue 17). The README invites reading the database; a
-- write by hand must not slip past the daemon's guarded transitions unseen.

-- 1. What WeChat Pay accepted: the sent fields as they were when the declaration last entered
--    polling from a send (declare, modification, re-push) or from a query that found it. The
--    daemon never sends a declare or re-push whose content differs from it (it asks a person).
ALTER TABLE declarations ADD COLUMN accepted_content TEXT;  -- JSON; NULL until accepted

CREATE TRIGGER declarations_accepted_content
AFTER UPDATE OF phase ON declarations
WHEN NEW.phase = 'poll' AND OLD.phase IN ('submit', 'modify', 'redeclare')
BEGIN
  UPDATE declarations SET accepted_content = json_object(
      'appid', NEW.appid, 'mchid', NEW.mchid, 'out_trade_no', NEW.out_trade_no,
      'transaction_id', NEW.transaction_id, 'customs', NEW.customs,
      'merchant_customs_no', NEW.merchant_customs_no, 'duty', NEW.duty,
      'sub_order_no', NEW.sub_order_no, 'fee_type', NEW.fee_type, 'order_fee', NEW.order_fee,
      'transport_fee', NEW.transport_fee, 'product_fee', NEW.product_fee)
  WHERE id = NEW.id;
END;

-- 2. An UPDATE that leaves version alone is not the daemon's (every write of the daemon and of
--    the commands bumps it): it bumps it, so a transition the daemon planned on the old row
--    loses its guard, and it records an operator_edit event naming what changed. (The first
--    trigger's own update, of accepted_content alone, is not an edit.)
CREATE TRIGGER declarations_hand_edit
AFTER UPDATE ON declarations
WHEN NEW.version = OLD.version AND NEW.accepted_content IS OLD.accepted_content
BEGIN
  UPDATE declarations SET version = version + 1 WHERE id = NEW.id;
  INSERT INTO events (declaration_id, at, kind, from_state, to_state, from_phase, to_phase,
                      message)
  VALUES (NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 'operator_edit', OLD.state,
          NEW.state, OLD.phase, NEW.phase,
          'changed by hand (sqlite3), not through customsd:' ||
          CASE WHEN NEW.state IS NOT OLD.state THEN ' state' ELSE '' END ||
          CASE WHEN NEW.phase IS NOT OLD.phase THEN ' phase' ELSE '' END ||
          CASE WHEN NEW.appid IS NOT OLD.appid THEN ' appid' ELSE '' END ||
          CASE WHEN NEW.mchid IS NOT OLD.mchid THEN ' mchid' ELSE '' END ||
          CASE WHEN NEW.out_trade_no IS NOT OLD.out_trade_no THEN ' out_trade_no' ELSE '' END ||
          CASE WHEN NEW.transaction_id IS NOT OLD.transaction_id THEN ' transaction_id' ELSE '' END ||
          CASE WHEN NEW.customs IS NOT OLD.customs THEN ' customs' ELSE '' END ||
          CASE WHEN NEW.merchant_customs_no IS NOT OLD.merchant_customs_no
               THEN ' merchant_customs_no' ELSE '' END ||
          CASE WHEN NEW.duty IS NOT OLD.duty THEN ' duty' ELSE '' END ||
          CASE WHEN NEW.sub_order_no IS NOT OLD.sub_order_no THEN ' sub_order_no' ELSE '' END ||
          CASE WHEN NEW.fee_type IS NOT OLD.fee_type THEN ' fee_type' ELSE '' END ||
          CASE WHEN NEW.order_fee IS NOT OLD.order_fee THEN ' order_fee' ELSE '' END ||
          CASE WHEN NEW.transport_fee IS NOT OLD.transport_fee THEN ' transport_fee' ELSE '' END ||
          CASE WHEN NEW.product_fee IS NOT OLD.product_fee THEN ' product_fee' ELSE '' END ||
          CASE WHEN NEW.next_attempt_at IS NOT OLD.next_attempt_at THEN ' next_attempt_at'
               ELSE '' END ||
          CASE WHEN NEW.check_first IS NOT OLD.check_first THEN ' check_first' ELSE '' END ||
          CASE WHEN NEW.attempts IS NOT OLD.attempts THEN ' attempts' ELSE '' END);
END;

-- 3. A declaration is kept with its history, and events are append-only (migration 0004), so
--    deleting one would leave its events pointing nowhere. sqlite3 connections have foreign
--    keys off, so a trigger refuses it, whatever the connection.
CREATE TRIGGER declarations_no_delete
BEFORE DELETE ON declarations
BEGIN
  SELECT RAISE(ABORT, 'customsd: declarations are kept with their history; take one out of work with ''customsd cancel''');
END;
