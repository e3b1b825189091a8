#!/bin/sh
# One declaration through the API with curl. TOKEN is a line of api.token_file.
# The Idempotency-Key makes a retry after a timeout safe: the same key replays the first answer.
curl --fail-with-body -sS http://127.0.0.1:9470/v1/declarations \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -H "Idempotency-Key: order-20150806125346" \
  -d '{"out_trade_no": "20150806125346", "transaction_id": "1000320306201511078440737890",
       "customs": "SHANGHAI_ZS", "merchant_customs_no": "123456", "duty": 888}'
