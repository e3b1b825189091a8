#!/usr/bin/env python3
"""The web console in a real browser, end to end.

Starts the fake WeChat Pay (wechatpay-mock) and `customsd run` with [api] console = true on free
loopback ports, declares a few orders (one the fake refuses), then drives headless Chromium
through the console: the login gate, the overview against `customsd stats --json`, fixing the
refused declaration from the needs-attention list without a reload, and cross-origin writes
being refused. Writes screenshots (desktop 1280x900 and phone 390x844) to --out.

    console_test.py --customsd build/customsd --mock build/wechatpay-mock --out DIR

Prints one line per check; exits 1 at the first failure, leaving failure.png and the daemon's
log tail in --out. Needs python3-selenium, chromium and chromium-driver (scripts/setup).
"""

import argparse
import atexit
import base64
import functools
import http.server
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    # Debian's python3-selenium lives in /usr/lib/python3/dist-packages, which only the system
    # interpreter reads; a python3 found first on PATH (pyenv, a venv) does not.
    if os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3') \
            and os.path.exists('/usr/bin/python3') and not os.environ.get('CONSOLE_TEST_REEXEC'):
        os.environ['CONSOLE_TEST_REEXEC'] = '1'
        os.execv('/usr/bin/python3', ['/usr/bin/python3', os.path.abspath(__file__)] + sys.argv[1:])
    sys.exit('console_test: FAIL: python selenium is missing: run scripts/setup '
             '(Debian packages python3-selenium chromium chromium-driver)')

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(os.path.dirname(HERE), 'vectors')
TOKEN = 'console-test-token-0123456789abcdef'
MCHID = '1230000109'
APPID = 'wxd678efh567hg6787'
SERIAL = '34758796476BCD5BD4801FB1BA640E12CF7BA8AA'
GOOD_CUSTOMS_NO = '3120960ZK1'
STATES = ['UNDECLARED', 'SUBMITTED', 'PROCESSING', 'SUCCESS', 'FAIL', 'EXCEPT']
PHASES = ['submit', 'poll', 'modify', 'redeclare', 'done', 'attention', 'cancelled']
DESKTOP = (1280, 900)
PHONE = (390, 844)


class Failure(Exception):
    pass


def ok(what):
    print(f'ok   {what}', flush=True)


def check(cond, what, detail=''):
    if not cond:
        raise Failure(what + (f': {detail}' if detail else ''))
    ok(what)


def wait_for(cond, what, timeout=30.0, interval=0.1, say=False):
    """Polls cond() until it returns a truthy value; Failure at the deadline. The interval
    only bounds how soon the test notices. With `say`, prints the check's line."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = cond()
            if value:
                if say:
                    ok(what)
                return value
        except (NoSuchElementException, StaleElementReferenceException) as e:
            last = e
        if time.monotonic() > deadline:
            raise Failure(f'{what}: not within {timeout:.0f} s' + (f' ({last})' if last else ''))
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def write_file(path, text, mode=0o644):
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)


def tail(path, lines=200):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError as e:
        return f'({path}: {e})\n'


# ---- the processes ------------------------------------------------------------------------
class Processes:
    def __init__(self):
        self.children = []  # (name, Popen)

    def add(self, name, proc):
        self.children.append((name, proc))
        return proc

    def stop(self, proc, timeout=15):
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        return proc.returncode

    def stop_all(self):
        for _, proc in reversed(self.children):
            self.stop(proc)
        self.children = []


class Env:
    """A throw-away customsd installation with the mock and the daemon running."""

    def __init__(self, args, procs):
        self.args = args
        self.procs = procs
        self.dir = tempfile.mkdtemp(prefix='customsd-console-')
        self.config = os.path.join(self.dir, 'customsd.toml')
        self.daemon_log = os.path.join(self.dir, 'daemon.log')
        self.mock_err = os.path.join(self.dir, 'mock.err')
        self.port = 0
        self.daemon = None

    @property
    def origin(self):
        return f'http://127.0.0.1:{self.port}'

    def start_mock(self):
        err = open(self.mock_err, 'w')
        proc = self.procs.add('wechatpay-mock', subprocess.Popen(
            [self.args.mock, '--listen', '127.0.0.1:0',
             '--merchant-cert', os.path.join(VECTORS, 'merchant_cert.pem'),
             '--platform-key', os.path.join(VECTORS, 'platform_key.pem'),
             '--platform-cert', os.path.join(VECTORS, 'platform_cert.pem'),
             '--apiv3-key-file', os.path.join(VECTORS, 'apiv3.key'),
             '--seed', '7', '--exempt-certificates'],
            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL))
        err.close()
        # It prints exactly one line: "wechatpay-mock listening on http://127.0.0.1:PORT".
        line = b''
        deadline = time.monotonic() + 20
        while not line.endswith(b'\n'):
            left = deadline - time.monotonic()
            if left <= 0 or proc.poll() is not None:
                raise Failure('wechatpay-mock did not start: ' + tail(self.mock_err, 20))
            ready, _, _ = select.select([proc.stdout], [], [], left)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 256)
                if not chunk:
                    raise Failure('wechatpay-mock closed stdout: ' + tail(self.mock_err, 20))
                line += chunk
        m = re.search(r'listening on (http://\S+)', line.decode())
        if not m:
            raise Failure(f'wechatpay-mock said {line!r}')
        self.mock_url = m.group(1)
        ok(f'wechatpay-mock started at {self.mock_url}')

    def write_config(self):
        key = os.path.join(self.dir, 'apiclient_key.pem')
        apiv3 = os.path.join(self.dir, 'apiv3.key')
        shutil.copyfile(os.path.join(VECTORS, 'merchant_key.pem'), key)
        shutil.copyfile(os.path.join(VECTORS, 'apiv3.key'), apiv3)
        os.chmod(key, 0o600)
        os.chmod(apiv3, 0o600)
        tokens = os.path.join(self.dir, 'api.tokens')
        write_file(tokens, TOKEN + '\n', 0o600)
        self.port = free_port()
        write_file(self.config, f'''[merchant]
mchid = "{MCHID}"
appid = "{APPID}"
serial_no = "{SERIAL}"
private_key_file = "{key}"
apiv3_key_file = "{apiv3}"

[database]
path = "{os.path.join(self.dir, 'customsd.db')}"

[wechatpay]
base_url = "{self.mock_url}"
timeout = "1s"
max_in_flight = 16
requests_per_second = 400

[poll]
first_delay = "100ms"
initial_interval = "100ms"
max_interval = "500ms"
deadline = "60s"

[retry]
initial_interval = "50ms"
max_interval = "500ms"
max_attempts = 12

[redeclare]
max_attempts = 2
interval = "100ms"

[metrics]
listen = ""

[api]
listen = "127.0.0.1:{self.port}"
token_file = "{tokens}"
console = true
''')

    def start_daemon(self):
        log = open(self.daemon_log, 'w')
        self.daemon = self.procs.add('customsd', subprocess.Popen(
            [self.args.customsd, '-c', self.config, 'run', '--shutdown-seconds', '5'],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir))
        log.close()

        def ready():
            if self.daemon.poll() is not None:
                raise Failure(f'customsd exited with {self.daemon.returncode} before it was ready:\n'
                              + tail(self.daemon_log, 30))
            text = tail(self.daemon_log, 1000)
            return 'customsd ready' in text and f'api listening on port {self.port}' in text
        wait_for(ready, 'customsd ready with the API on its port', timeout=30, interval=0.05)
        ok(f'customsd running, API and console at {self.origin}')

    def stats(self):
        r = subprocess.run([self.args.customsd, '-c', self.config, 'stats', '--json'],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise Failure(f'customsd stats --json exited {r.returncode}: {r.stderr}')
        return json.loads(r.stdout)

    # ---- HTTP ----------------------------------------------------------------------------
    def http(self, method, path, body=None, token=TOKEN, headers=None):
        """(status, headers, parsed JSON or None) of one request to the daemon."""
        h = dict(headers or {})
        if token is not None:
            h['Authorization'] = 'Bearer ' + token
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault('Content-Type', 'application/json')
        req = urllib.request.Request(self.origin + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=15) as res:
                status, hdrs, raw = res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, hdrs, parsed

    def get(self, path):
        status, _, body = self.http('GET', path)
        if status != 200:
            raise Failure(f'GET {path}: {status} {body}')
        return body

    def declaration(self, did):
        return self.get(f'/v1/declarations/{did}')


def fingerprint(d):
    """What would differ had anything been done to declaration `d`."""
    return {k: d.get(k) for k in ('state', 'phase', 'version', 'updated_at', 'merchant_customs_no',
                                  'attempts')} | {'history': len(d.get('history') or [])}


# ---- the browser --------------------------------------------------------------------------
class Browser:
    def __init__(self, out):
        self.out = out
        opts = webdriver.ChromeOptions()
        opts.binary_location = '/usr/bin/chromium'
        for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                  f'--window-size={DESKTOP[0]},{DESKTOP[1]}', '--lang=en-US',
                  '--hide-scrollbars', '--no-first-run', '--no-default-browser-check'):
            opts.add_argument(a)
        opts.add_experimental_option('prefs', {'intl.accept_languages': 'en-US,en'})
        self.driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=opts)
        self.driver.set_script_timeout(30)
        self.driver.set_page_load_timeout(30)
        self.phone = False

    def quit(self):
        try:
            self.driver.quit()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass

    def find(self, testid):
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def finds(self, testid):
        return self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def shown(self, testid):
        els = self.finds(testid)
        return bool(els) and els[0].is_displayed()

    def text(self, testid):
        return self.find(testid).text.strip()

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def click(self, testid):
        el = self.find(testid)
        self.js('arguments[0].scrollIntoView({block: "center"})', el)
        el.click()

    def set_phone(self, phone):
        if phone:
            self.driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {
                'width': PHONE[0], 'height': PHONE[1], 'deviceScaleFactor': 1, 'mobile': True})
            want = PHONE[0]
        else:
            self.driver.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})
            want = DESKTOP[0]
        wait_for(lambda: self.js('return window.innerWidth') == want,
                 f'the page is {want} px wide', timeout=10)
        self.phone = phone

    def screenshot(self, name):
        """The whole page (beyond the viewport) as out/name."""
        self.js('window.scrollTo(0, 0)')
        width = self.js('return window.innerWidth')
        height = min(self.js('return Math.max(document.documentElement.scrollHeight, '
                             'document.body.scrollHeight, window.innerHeight)'), 8000)
        shot = self.driver.execute_cdp_cmd('Page.captureScreenshot', {
            'format': 'png', 'captureBeyondViewport': True,
            'clip': {'x': 0, 'y': 0, 'width': width, 'height': height, 'scale': 1}})
        path = os.path.join(self.out, name)
        with open(path, 'wb') as f:
            f.write(base64.b64decode(shot['data']))
        ok(f'screenshot {path} ({width}x{height})')


class CrossOriginSite:
    """tests/console/cross_origin.html served from another port: another origin."""

    def __init__(self):
        handler = functools.partial(Quiet, directory=HERE)
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


# ---- the test -----------------------------------------------------------------------------
def declare(env):
    def line(order, n, mcn=GOOD_CUSTOMS_NO, sub=None):
        d = {'out_trade_no': order, 'transaction_id': '4200000000' + str(n).rjust(18, '0'),
             'customs': 'SHANGHAI_ZS', 'merchant_customs_no': mcn}
        if sub:
            d |= {'sub_order_no': sub, 'fee_type': 'CNY', 'order_fee': 1000, 'transport_fee': 100,
                  'product_fee': 900}
        return d
    # The mock's markers (tests/mock/mock_orders.h): "FAIL" in the order -> customs FAIL;
    # "PARAMERR" in merchant_customs_no -> refused with PARAM_ERROR, which a modify can correct.
    batch = [line('CONSOLEOK1', 1), line('CONSOLEOK2', 2), line('CONSOLEOK3', 3),
             line('CONSOLESPLIT1', 4, sub='CONSOLESPLIT1-1'),
             line('CONSOLESPLIT1', 4, sub='CONSOLESPLIT1-2'),
             line('CONSOLEFAIL1', 5),
             line('CONSOLEFIX1', 6, mcn='PARAMERR9'),   # fixed through the console
             line('CONSOLEFIX2', 7, mcn='PARAMERR9')]   # left in "needs attention"
    status, _, body = env.http('POST', '/v1/declarations', batch)
    check(status == 201 and body and body.get('created') == len(batch),
          f'POST /v1/declarations with the token stores {len(batch)} declarations', f'{status} {body}')
    ids = {}
    for r in body['declarations']:
        ids[(r['out_trade_no'], r.get('sub_order_no') or '')] = r['id']
    want = {k: ('SUCCESS', 'done') for k in ids}
    want[('CONSOLEFAIL1', '')] = ('FAIL', 'done')
    want[('CONSOLEFIX1', '')] = ('UNDECLARED', 'attention')
    want[('CONSOLEFIX2', '')] = ('UNDECLARED', 'attention')

    def settled():
        for k, (state, phase) in want.items():
            d = env.declaration(ids[k])
            if (d['state'], d['phase']) != (state, phase):
                settled.last = f'{k[0]} {k[1]} is {d["state"]}/{d["phase"]}, want {state}/{phase}'
                return False
        return True
    settled.last = ''
    try:
        wait_for(settled, 'declarations settle', timeout=90, interval=0.25)
    except Failure as e:
        raise Failure(f'{e}: {settled.last}') from None
    ok('the good declarations are SUCCESS/done, CONSOLEFAIL1 FAIL/done, the PARAMERR9 ones in attention')
    for k in (('CONSOLEFIX1', ''), ('CONSOLEFIX2', '')):
        d = env.declaration(ids[k])
        check(d.get('last_error_code') == 'PARAM_ERROR',
              f'{k[0]} was refused with PARAM_ERROR', d.get('last_error_code'))
    return ids


def check_login_gate(env, b, ids):
    fix1 = ids[('CONSOLEFIX1', '')]
    for route in ('#/overview', '#/attention', f'#/declaration/{fix1}', '#/search?all=1'):
        b.driver.get(f'{env.origin}/console/{route}')
        wait_for(lambda: b.shown('view-login'), f'{route} without a token shows view-login')
        shown = [v for v in ('view-overview', 'view-attention', 'view-search', 'view-declaration')
                 if b.shown(v)]
        data = b.js('return [document.getElementById("ov-main").children.length,'
                    ' document.getElementById("att-groups").children.length,'
                    ' document.getElementById("detail").children.length,'
                    ' document.getElementById("search-tbody").children.length]')
        check(not shown and data == [0, 0, 0, 0] and not b.shown('nav-overview'),
              f'{route} without a token: the login view only, no data view and no data',
              f'data views shown: {shown}; rendered children {data}')

    day = urllib.parse.quote(datetime.now().astimezone().replace(
        hour=0, minute=0, second=0, microsecond=0).isoformat())
    endpoints = [
        ('GET', f'/v1/stats?day_start={day}&week_start={day}', None),
        ('GET', '/v1/declarations?phase=attention&limit=1000', None),
        ('GET', '/v1/declarations?state=FAIL&phase=done&limit=200', None),
        ('GET', '/v1/declarations?limit=100', None),
        ('GET', f'/v1/declarations/{fix1}', None),
        ('PATCH', f'/v1/declarations/{fix1}', {'merchant_customs_no': GOOD_CUSTOMS_NO}),
        ('POST', f'/v1/declarations/{fix1}/retry', {}),
        ('POST', f'/v1/declarations/{fix1}/redeclare', {}),
        ('POST', f'/v1/declarations/{fix1}/cancel', {}),
        ('POST', '/v1/declarations', [{'out_trade_no': 'CONSOLENOTOKEN', 'customs': 'SHANGHAI_ZS',
                                       'transaction_id': '4200000000000000000000000099',
                                       'merchant_customs_no': GOOD_CUSTOMS_NO}]),
    ]
    before = fingerprint(env.declaration(fix1))
    for method, path, body in endpoints:
        for token, how in ((None, 'without a token'), ('wrong-token-000000000000000000', 'with a wrong token')):
            status, _, answer = env.http(method, path, body, token=token)
            check(status == 401, f'{method} {path} {how} answers 401', f'{status} {answer}')
    check(fingerprint(env.declaration(fix1)) == before,
          'the refused requests changed nothing', f'{before} -> {fingerprint(env.declaration(fix1))}')
    status, _, found = env.http('GET', '/v1/declarations?out_trade_no=CONSOLENOTOKEN')
    check(status == 200 and found['declarations'] == [], 'the tokenless POST stored nothing', found)
    for path in ('/console/', '/console/console.js', '/console/console.css'):
        status, _, _ = env.http('GET', path, token=None)
        check(status == 200, f'GET {path} without a token answers 200', status)


def overview_numbers(b):
    ids = ['overview-total', 'overview-alerts-pending'] + [f'overview-state-{s}' for s in STATES] \
        + [f'overview-phase-{p}' for p in PHASES]
    return {i: b.text(i) for i in ids}


def expected_numbers(stats):
    want = {'overview-total': str(stats.get('total', 0)),
            'overview-alerts-pending': str(stats.get('alerts_pending', 0))}
    for s in STATES:
        want[f'overview-state-{s}'] = str((stats.get('by_state') or {}).get(s, 0))
    for p in PHASES:
        want[f'overview-phase-{p}'] = str((stats.get('by_phase') or {}).get(p, 0))
    return want


def check_login_and_overview(env, b, total):
    b.driver.get(f'{env.origin}/console/#/overview')
    wait_for(lambda: b.shown('login-token'), 'the login form is shown')
    b.find('login-token').send_keys(TOKEN)
    b.click('login-submit')
    wait_for(lambda: b.shown('view-overview') and not b.shown('view-login'),
             'pasting the token in login-token and login-submit shows the overview', say=True)
    check(b.js('return sessionStorage.getItem("customsd.token")') == TOKEN
          and b.find('login-token').get_attribute('value') == '',
          'the token is kept in sessionStorage, not left in the form')
    # Marks this document: still there at the end means no page load happened in between.
    b.js('window.__noReload = 1')

    state = {}

    def same():
        state['want'] = expected_numbers(env.stats())
        state['got'] = overview_numbers(b)
        return state['got'] == state['want']
    try:
        wait_for(same, 'the overview matches customsd stats --json', timeout=20, interval=0.5)
    except Failure as e:
        diff = {k: (state.get('got', {}).get(k), v) for k, v in state.get('want', {}).items()
                if state.get('got', {}).get(k) != v}
        raise Failure(f'{e}: (page, stats) differ at {diff}') from None
    got = state['got']
    ok(f'overview equals `customsd stats --json`: total {got["overview-total"]}, '
       f'SUCCESS {got["overview-state-SUCCESS"]}, FAIL {got["overview-state-FAIL"]}, '
       f'attention {got["overview-phase-attention"]}, alerts pending {got["overview-alerts-pending"]}')
    check(got['overview-total'] == str(total), f'the overview counts the {total} declarations',
          got['overview-total'])
    today = b.text('overview-today')
    check(today == str(total), 'overview-today counts the declarations created today', today)
    check(b.text('nav-attention-count') == got['overview-phase-attention'],
          'the nav shows the needs-attention count', b.text('nav-attention-count'))


def screenshots(b, name, ready):
    """name-desktop.png and name-phone.png of the current view; `ready()` says it is drawn."""
    for phone in (False, True):
        b.set_phone(phone)
        wait_for(ready, f'{name} drawn at {"phone" if phone else "desktop"} width')
        b.screenshot(f'{name}-{"phone" if phone else "desktop"}.png')
    b.set_phone(False)


def has_cjk_font():
    try:
        r = subprocess.run(['fc-list', ':lang=zh'], capture_output=True, text=True, timeout=10)
        return bool(r.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return False


def check_attention_and_modify(env, b, ids):
    fix1, fix2 = ids[('CONSOLEFIX1', '')], ids[('CONSOLEFIX2', '')]
    fail1 = ids[('CONSOLEFAIL1', '')]
    b.click('nav-attention')
    wait_for(lambda: b.shown('view-attention') and b.finds(f'attention-row-{fix1}')
             and b.finds(f'attention-row-{fix2}') and b.finds(f'attention-row-{fail1}'),
             'the needs-attention list shows both refused declarations and the customs FAIL')
    ok(f'needs attention lists attention-row-{fix1}, attention-row-{fix2} and attention-row-{fail1}')
    row = b.find(f'attention-row-{fix1}')
    check('PARAM_ERROR' in b.js(
        'return arguments[0].closest("[data-testid=attention-group]").dataset.key', row),
        'the refused one is grouped under its WeChat error code PARAM_ERROR')
    check(b.js('return window.__noReload') == 1, 'reaching the list loaded no page')

    screenshots(b, 'attention', lambda: b.finds(f'attention-row-{fix1}'))
    if has_cjk_font():
        b.click('lang-toggle')
        wait_for(lambda: b.js('return document.documentElement.lang') == 'zh-CN'
                 and b.finds(f'attention-row-{fix1}')
                 and '待处理' in b.find('nav-attention').text, 'the console switches to Chinese')
        b.screenshot('attention-zh-desktop.png')
        b.click('lang-toggle')
        wait_for(lambda: b.js('return document.documentElement.lang') == 'en'
                 and b.finds(f'attention-row-{fix1}'), 'the console switches back to English')
        ok('zh/en toggle works (attention-zh-desktop.png)')
    else:
        print('note no font with Chinese glyphs installed (fonts-noto-cjk): zh screenshot skipped',
              flush=True)

    # Modify from the list: the dialog, the corrected number, save.
    b.click(f'action-modify-{fix1}')
    wait_for(lambda: b.shown('modify-form'), f'action-modify-{fix1} opens the modify form', say=True)
    field = b.find('modify-merchant_customs_no')
    check(field.get_attribute('value') == 'PARAMERR9',
          'the modify form holds the current merchant_customs_no', field.get_attribute('value'))
    check(not b.find('modify-order_fee').is_enabled(),
          'a plain order\'s split fees are disabled in the form')
    field.clear()
    field.send_keys(GOOD_CUSTOMS_NO)
    b.click('modify-submit')
    wait_for(lambda: not b.shown('modify-form'), 'modify-submit saves and closes the form', say=True)
    wait_for(lambda: 'CONSOLEFIX1' in b.text('status-line'), 'the status line confirms the change')
    ok(f'status line: {b.text("status-line")}')
    wait_for(lambda: not b.finds(f'attention-row-{fix1}') and b.finds(f'attention-row-{fix2}'),
             'CONSOLEFIX1 leaves the needs-attention list by itself (no reload)', timeout=30)
    ok('CONSOLEFIX1 left the needs-attention list; CONSOLEFIX2 is still there')
    check(b.js('return window.__noReload') == 1, 'the modify loaded no page (window.__noReload is still 1)')

    # Its page, reached in the same document: it settles SUCCESS there.
    b.js(f'location.hash = "#/declaration/{fix1}"')
    wait_for(lambda: b.shown('view-declaration') and b.finds('detail-state')
             and b.text('detail-state') == 'SUCCESS' and b.text('detail-phase') == 'done',
             'the declaration page shows CONSOLEFIX1 SUCCESS/done', timeout=60, say=True)
    check(b.text('detail-field-merchant_customs_no') == GOOD_CUSTOMS_NO,
          f'the declaration page shows merchant_customs_no {GOOD_CUSTOMS_NO}',
          b.text('detail-field-merchant_customs_no'))
    history = b.find('detail-history').text
    check('operator_modify' in history and 'refused' in history,
          'its history shows the refusal and the operator\'s modify', history[:300])
    check(b.js('return window.__noReload') == 1,
          'still the same document: no reload from login to SUCCESS')
    # Its alerts (the refusal raised one) and its notifications (attention, then succeeded).
    wait_for(lambda: b.finds('detail-notifications')
             and 'declaration.succeeded' in b.find('detail-notifications').text,
             'the declaration page lists its notifications, the success among them', timeout=30)
    check(b.finds('detail-alerts') and 'PARAM' in b.find('detail-alerts').text,
          'the declaration page lists the alert its refusal raised',
          b.find('detail-alerts').text[:300] if b.finds('detail-alerts') else '(no alerts list)')
    d = env.declaration(fix1)
    check(d['state'] == 'SUCCESS' and d['phase'] == 'done' and d['merchant_customs_no'] == GOOD_CUSTOMS_NO,
          f'the API has CONSOLEFIX1 SUCCESS/done with merchant_customs_no {GOOD_CUSTOMS_NO}',
          fingerprint(d))
    screenshots(b, 'declaration', lambda: b.finds('detail-history'))


def check_cross_origin(env, b, ids):
    fix2 = ids[('CONSOLEFIX2', '')]
    target = f'/v1/declarations/{fix2}/cancel'
    before = fingerprint(env.declaration(fix2))
    check(before['phase'] == 'attention', 'CONSOLEFIX2 (the cancel target) can be cancelled: in attention',
          before)
    site = CrossOriginSite()
    try:
        page = f'http://localhost:{site.port}/cross_origin.html'
        b.driver.get(page)
        wait_for(lambda: b.js('return typeof window.attempt') == 'function', 'the other site is loaded')
        origin = b.js('return location.origin')
        check(origin != env.origin, f'the page {origin} is of another origin than {env.origin}')
        attempts = [
            ('fetch with the token (preflighted)',
             {'method': 'POST', 'headers': {'Authorization': 'Bearer ' + TOKEN,
                                            'Content-Type': 'application/json'}, 'body': '{}'}),
            ('a "simple" no-cors POST (no preflight, no token)',
             {'method': 'POST', 'mode': 'no-cors', 'headers': {'Content-Type': 'text/plain'},
              'body': '{}'}),
        ]
        for what, init in attempts:
            res = b.driver.execute_async_script(
                'const done = arguments[arguments.length - 1];'
                'window.attempt(arguments[0], arguments[1]).then(done);',
                env.origin + target, init)
            if init.get('mode') == 'no-cors':
                check(res.get('outcome') == 'error' or res.get('type') == 'opaque',
                      f'from {origin}, {what}: the page reads nothing', res)
            else:
                check(res.get('outcome') == 'error' and res.get('name') == 'TypeError',
                      f'from {origin}, {what}: fetch fails with TypeError', res)
            after = fingerprint(env.declaration(fix2))
            check(after == before, f'... and CONSOLEFIX2 is unchanged ({after["phase"]})',
                  f'{before} -> {after}')
    finally:
        site.stop()

    status, hdrs, body = env.http('OPTIONS', target, token=None, headers={
        'Origin': 'http://evil.example', 'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type'})
    check(status in (401, 403) and not any(k.lower().startswith('access-control-') for k in hdrs),
          f'a preflight from http://evil.example answers {status} with no CORS header',
          f'{status} {dict(hdrs)}')
    status, hdrs, body = env.http('POST', target, {}, headers={'Origin': 'http://evil.example'})
    check(status == 403, 'POST .../cancel with the valid token and Origin: http://evil.example answers 403',
          f'{status} {body}')
    check(not any(k.lower().startswith('access-control-') for k in hdrs), '... with no CORS header',
          dict(hdrs))
    status, _, body = env.http('PATCH', f'/v1/declarations/{fix2}', {'merchant_customs_no': GOOD_CUSTOMS_NO},
                               headers={'Origin': 'http://evil.example'})
    check(status == 403, 'PATCH with the valid token and Origin: http://evil.example answers 403',
          f'{status} {body}')
    after = fingerprint(env.declaration(fix2))
    check(after == before, 'CONSOLEFIX2 is unchanged after the cross-origin writes', f'{before} -> {after}')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--customsd', required=True)
    p.add_argument('--mock', required=True)
    p.add_argument('--out', required=True)
    args = p.parse_args()
    args.customsd = os.path.abspath(args.customsd)
    args.mock = os.path.abspath(args.mock)
    os.makedirs(args.out, exist_ok=True)
    for stale in ('failure.png', 'daemon-log-tail.txt', 'mock-err-tail.txt'):
        if os.path.exists(os.path.join(args.out, stale)):
            os.remove(os.path.join(args.out, stale))

    started = time.monotonic()
    procs = Processes()
    atexit.register(procs.stop_all)
    env = Env(args, procs)
    browser = None
    failed = True
    try:
        env.start_mock()
        env.write_config()
        env.start_daemon()
        ids = declare(env)
        browser = Browser(args.out)
        atexit.register(browser.quit)
        check_login_gate(env, browser, ids)
        check_login_and_overview(env, browser, len(ids))
        screenshots(browser, 'overview', lambda: browser.text('overview-updated'))
        check_attention_and_modify(env, browser, ids)
        check_cross_origin(env, browser, ids)
        code = procs.stop(env.daemon)
        check(code == 0, 'customsd stops cleanly on SIGTERM', f'exit {code}\n' + tail(env.daemon_log, 20))
        log = tail(env.daemon_log, 100000)
        check(TOKEN not in log, 'the token never reached the daemon log')
        failed = False
    except Failure as e:
        print(f'FAIL {e}', flush=True)
    except Exception as e:  # noqa: BLE001 - an unexpected error is a failure too, with its trace
        import traceback
        traceback.print_exc()
        print(f'FAIL unexpected {type(e).__name__}: {e}', flush=True)
    finally:
        if failed:
            if browser:
                try:
                    browser.driver.save_screenshot(os.path.join(args.out, 'failure.png'))
                    print(f'     page at failure: {browser.driver.current_url} -> '
                          f'{os.path.join(args.out, "failure.png")}', flush=True)
                except Exception as e:  # noqa: BLE001
                    print(f'     (no failure screenshot: {e})', flush=True)
            with open(os.path.join(args.out, 'daemon-log-tail.txt'), 'w') as f:
                f.write(tail(env.daemon_log))
            with open(os.path.join(args.out, 'mock-err-tail.txt'), 'w') as f:
                f.write(tail(env.mock_err))
            print(f'     daemon log tail: {os.path.join(args.out, "daemon-log-tail.txt")}; '
                  f'files kept in {env.dir}', flush=True)
            print('---- daemon log (last 30 lines) ----\n' + tail(env.daemon_log, 30), flush=True)
        if browser:
            browser.quit()
        procs.stop_all()
        if not failed:
            shutil.rmtree(env.dir, ignore_errors=True)
    elapsed = time.monotonic() - started
    if failed:
        print(f'console_test: FAILED after {elapsed:.1f} s', flush=True)
        return 1
    print(f'console_test: all checks passed in {elapsed:.1f} s', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
