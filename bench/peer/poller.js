#!/usr/bin/env node
// bench/peer/poller.js: the peer of bench/run's `peer` phase. What a merchant would otherwise
// script instead of running customsd: the WeChat Pay APIv3 SDK for Node.js (wechatpay-axios-plugin)
// declares every order of a JSON Lines file (POST /v3/global/customs/orders), then queries each
// one (GET /v3/global/customs/orders?order_type=out_trade_no...) with a pause before every query
// until WeChat reports SUCCESS, FAIL or EXCEPT; C orders in flight at once. The SDK signs every
// request with the merchant key and verifies every answer with the platform certificate.
//
//   node poller.js --base-url http://127.0.0.1:PORT --mchid M --appid A --serial MERCHANT_SERIAL \
//     --key merchant_key.pem --platform-serial SERIAL --platform-cert platform_cert.pem \
//     --declarations FILE.jsonl [--concurrency 16] [--pause-ms 50] [--max-queries 200] \
//     [--out RESULT.json] [--hold]
//
// Prints (and with --out writes, atomically) one JSON object: counts, calls and wall time.
// --hold: stay alive (idle) after writing --out until SIGTERM, so that the caller can read this
// process's CPU time from /proc/PID/stat at the very end of the work. Exits 1 when an order
// could not be followed to its end (errors are counted and the first few are printed).
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { Wechatpay } = require('wechatpay-axios-plugin');

function parseArgs(argv) {
  const o = { concurrency: 16, pauseMs: 50, maxQueries: 200, hold: false };
  const names = {
    '--base-url': 'baseUrl', '--mchid': 'mchid', '--appid': 'appid', '--serial': 'serial',
    '--key': 'key', '--platform-serial': 'platformSerial', '--platform-cert': 'platformCert',
    '--declarations': 'declarations', '--concurrency': 'concurrency', '--pause-ms': 'pauseMs',
    '--max-queries': 'maxQueries', '--out': 'out',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--hold') { o.hold = true; continue; }
    const name = names[argv[i]];
    if (!name || i + 1 >= argv.length) throw new Error(`bad argument: ${argv[i]}`);
    o[name] = argv[++i];
  }
  for (const n of ['baseUrl', 'mchid', 'appid', 'serial', 'key', 'platformSerial', 'platformCert',
    'declarations']) {
    if (!o[n]) throw new Error(`missing --${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  for (const n of ['concurrency', 'pauseMs', 'maxQueries']) o[n] = Number(o[n]);
  return o;
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const FINAL = new Set(['SUCCESS', 'FAIL', 'EXCEPT']);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const orders = fs.readFileSync(o.declarations, 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  // The SDK's constructor options (its README, "初始化"): mchid, the merchant certificate's
  // serial, the merchant private key and the platform certificates keyed by their serial
  // ("file://" + absolute path is one of the forms it takes); the rest goes to axios.
  const keepAlive = { keepAlive: true, maxSockets: o.concurrency };
  const agents = [new http.Agent(keepAlive), new https.Agent(keepAlive)];
  const wxpay = new Wechatpay({
    mchid: o.mchid,
    serial: o.serial,
    privateKey: `file://${path.resolve(o.key)}`,
    certs: { [o.platformSerial]: `file://${path.resolve(o.platformCert)}` },
    baseURL: o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`,
    timeout: 5000,
    httpAgent: agents[0],
    httpsAgent: agents[1],
  });
  const api = wxpay.v3.global.customs.orders;

  const r = {
    declarations: orders.length, settled: 0, success: 0, fail: 0, except: 0, unsettled: 0,
    declares: 0, queries: 0, errors: 0, first_errors: [],
  };
  const noteError = (what, e) => {
    r.errors += 1;
    if (r.first_errors.length < 5) {
      const res = e && e.response;
      const why = res ? `HTTP ${res.status} ${JSON.stringify(res.data)}` : '';
      r.first_errors.push(`${what}: ${(e && e.code) || ''} ${(e && e.message) || e} ${why}`.slice(0, 500));
    }
  };

  async function follow(order) {
    try {
      r.declares += 1;
      await api.post({ appid: o.appid, mchid: o.mchid, ...order });
    } catch (e) {
      noteError(`declare ${order.out_trade_no}`, e);
      r.unsettled += 1;
      return;
    }
    for (let n = 0; n < o.maxQueries; n++) {
      await sleep(o.pauseMs);
      let data;
      try {
        r.queries += 1;
        ({ data } = await api.get({
          params: {
            order_type: 'out_trade_no', order_no: order.out_trade_no, customs: order.customs,
            appid: o.appid, mchid: o.mchid,
          },
        }));
      } catch (e) {
        noteError(`query ${order.out_trade_no}`, e);
        continue;  // ask again after the pause
      }
      const states = (data.data || []).map((d) => d.state);
      if (states.length > 0 && states.every((s) => FINAL.has(s))) {
        r.settled += 1;
        // A plain order has one record; a split one is counted by its worst sub-order.
        if (states.includes('FAIL')) r.fail += 1;
        else if (states.includes('EXCEPT')) r.except += 1;
        else r.success += 1;
        return;
      }
    }
    r.unsettled += 1;
  }

  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < orders.length) {
      const order = orders[next];
      next += 1;
      await follow(order);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, orders.length) }, worker));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  r.wall_s = Number(wall.toFixed(3));
  // This process's own CPU over the work only (without node's start-up and module loading).
  r.work_cpu_s = Number(((cpu.user + cpu.system) / 1e6).toFixed(3));
  r.sdk = `wechatpay-axios-plugin ${require('wechatpay-axios-plugin/package.json').version}`;
  r.node = process.version;

  const text = JSON.stringify(r);
  if (o.out) {
    fs.writeFileSync(`${o.out}.tmp`, `${text}\n`);
    fs.renameSync(`${o.out}.tmp`, o.out);
  }
  process.stdout.write(`${text}\n`);
  const ok = r.settled === r.declarations;
  if (o.hold) {
    process.on('SIGTERM', () => process.exit(ok ? 0 : 1));
    setInterval(() => {}, 1 << 30);
    return;
  }
  agents.forEach((a) => a.destroy());
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`poller: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
