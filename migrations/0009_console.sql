-- The web console (issue 16) finds a declaration by order number or WeChat's transaction id
-- without the merchant, and counts by merchant and customs on every refresh of its overview:
-- without these, each is a scan of the whole table (seconds at a million rows).
CREATE INDEX declarations_by_out_trade_no ON declarations (out_trade_no);
CREATE INDEX declarations_by_transaction_id ON declarations (transaction_id);
-- Covering: the overview's GROUP BY mchid, customs, state, phase reads the index alone.
CREATE INDEX declarations_by_merchant_customs ON declarations (mchid, customs, state, phase);
