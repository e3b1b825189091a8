// customsd web console. Plain ES2020, no dependencies: the server sends
// Content-Security-Policy: default-src 'self', so nothing inline and no element.style.
// All data (order systems, WeChat Pay) goes into the page through textContent, never HTML.
'use strict';

(() => {
  const TOKEN_KEY = 'customsd.token';
  const LANG_KEY = 'customsd.lang';
  const POLL_MS = 3000;
  const ATTENTION_PAGES = 5; // up to 5 x 1000: enough for a day of trouble, bounded for the 3 s poll
  const FAIL_LIMIT = 200;
  const STATES = ['UNDECLARED', 'SUBMITTED', 'PROCESSING', 'SUCCESS', 'FAIL', 'EXCEPT'];
  const PHASES = ['submit', 'poll', 'modify', 'redeclare', 'done', 'attention', 'cancelled'];
  const MODIFY_FIELDS = ['merchant_customs_no', 'duty', 'order_fee', 'transport_fee', 'product_fee'];
  const SPLIT_FEES = ['order_fee', 'transport_fee', 'product_fee'];
  const DETAIL_FIELDS = ['id', 'out_trade_no', 'sub_order_no', 'transaction_id', 'mchid', 'appid',
    'customs', 'merchant_customs_no', 'duty', 'fee_type', 'order_fee', 'transport_fee', 'product_fee',
    'sub_order_id', 'verify_department', 'verify_department_trade_id', 'explanation', 'modify_time',
    'attempts', 'next_attempt_at', 'last_error_code', 'last_error_message', 'last_http_status',
    'created_at', 'updated_at', 'version'];
  const FEN_FIELDS = new Set(['duty', 'order_fee', 'transport_fee', 'product_fee']);
  const TIME_FIELDS = new Set(['modify_time', 'next_attempt_at', 'created_at', 'updated_at']);

  // One dictionary, both languages side by side: [English, 中文].
  const WORDS = {
    'app.title': ['Customs declarations', '海关申报'],
    'nav.overview': ['Overview', '概览'],
    'nav.attention': ['Needs attention', '待处理'],
    'nav.search': ['Search', '查询'],
    'nav.logout': ['Log out', '退出登录'],
    'nav.label': ['Main', '主菜单'],
    'lang.switch': ['中文', 'English'],
    'login.title': ['Sign in', '登录'],
    'login.help': ['Paste the API token you were given. It is kept only in this browser tab and forgotten when the tab closes.',
      '请粘贴分配给您的 API 令牌。令牌只保存在当前浏览器标签页中，关闭标签页即清除。'],
    'login.token': ['API token', 'API 令牌'],
    'login.submit': ['Sign in', '登录'],
    'login.expired': ['The token was not accepted, or your session ended. Please paste a token again.',
      '令牌未被接受或会话已结束，请重新粘贴令牌。'],
    'login.loggedout': ['You are logged out.', '您已退出登录。'],
    'login.empty': ['Please paste a token.', '请粘贴令牌。'],
    'ov.total': ['All declarations', '全部申报单'],
    'ov.today': ['Created today', '今日新增'],
    'ov.week': ['Created this week', '本周新增'],
    'ov.oldest': ['Oldest unfinished', '最早未完结'],
    'ov.oldest.none': ['none', '无'],
    'ov.since': ['created {time}', '创建于 {time}'],
    'ov.alerts': ['Alerts not yet delivered', '待发出的告警'],
    'ov.notify': ['Notifications not yet delivered to the order system', '未送达订单系统的通知'],
    'ov.receivers': ['Notification receivers failing', '通知接收方故障'],
    'ov.byState': ['By state (as WeChat Pay reports it)', '按申报状态（微信支付返回）'],
    'ov.byPhase': ['By phase (what customsd does next)', '按处理阶段（customsd 的下一步）'],
    'ov.byMerchant': ['By merchant and customs', '按商户和海关'],
    'ov.rowTotal': ['Total', '合计'],
    'ov.list': ['List', '列表'],
    'ov.none': ['No declarations yet.', '暂无申报单。'],
    'ov.holds': ['On hold', '暂停发送'],
    'ov.holds.none': ['No merchant or customs is on hold.', '没有暂停发送的商户或海关。'],
    'ov.holds.help': ['WeChat Pay refused the setup, not a declaration: customsd sends nothing for these until a probe succeeds. Fix the merchant\'s key or its customs registration.', '微信支付拒绝的是商户配置而非申报单：在探测成功前 customsd 不会为其发送请求。请检查商户密钥或海关备案。'],
    'ov.hold.merchant': ['merchant {mchid} (every customs)', '商户 {mchid}（全部海关）'],
    'ov.hold.customs': ['merchant {mchid} at {customs}', '商户 {mchid}，海关 {customs}'],
    'updated': ['Updated {time}', '更新于 {time}'],
    'state.UNDECLARED': ['not declared yet', '未申报'],
    'state.SUBMITTED': ['modified, not declared again yet', '已修改，待重新申报'],
    'state.PROCESSING': ['in progress at customs', '海关处理中'],
    'state.SUCCESS': ['declared', '申报成功'],
    'state.FAIL': ['declaration failed', '申报失败'],
    'state.EXCEPT': ['customs interface error', '海关接口异常'],
    'phase.submit': ['to be sent', '待提交'],
    'phase.poll': ['waiting for the result', '等待结果'],
    'phase.modify': ['modification to be sent', '待发送修改'],
    'phase.redeclare': ['re-push to be sent', '待重推'],
    'phase.done': ['finished', '已完结'],
    'phase.attention': ['needs a person', '需人工处理'],
    'phase.cancelled': ['cancelled', '已取消'],
    'att.summary': ['{n} in "needs attention"', '{n} 笔需人工处理'],
    'att.failSummary': ['{n} failed at customs (finished, shown so you can act on them)', '{n} 笔海关申报失败（已完结，列出以便处理）'],
    'att.empty': ['Nothing needs attention right now.', '目前没有需要处理的申报。'],
    'att.truncated': ['Only the first {n} are shown; use Search for the rest.', '仅显示前 {n} 笔，其余请用查询。'],
    'cause.refused': ['WeChat Pay refused it: {code}', '微信支付拒绝：{code}'],
    'cause.fail': ['Customs FAIL: {why}', '海关申报失败：{why}'],
    'cause.fail.none': ['no explanation given', '未提供原因'],
    'cause.except': ['Customs interface error (EXCEPT) after re-pushes', '重推后仍为海关接口异常（EXCEPT）'],
    'cause.other': ['No final answer: polling deadline passed, or WeChat Pay could not be reached', '未得到最终结果：查询超时或无法连接微信支付'],
    'next.label': ['Next step', '下一步'],
    'next.fix': ['WeChat Pay refused the data. Correct the field named in WeChat\'s message with Modify; customsd then sends it again by itself.',
      '微信支付拒绝了所报数据。请按微信的提示用“修改”更正相应字段，customsd 随后会自动重新发送。'],
    'next.noauth': ['The merchant is not registered at this customs, or Self-Clearance is not enabled. Finish that on the WeChat Pay merchant platform, then Retry.',
      '商户未在该海关备案，或未开通自助清关。请在微信支付商户平台完成后点“重试”。'],
    'next.sign': ['WeChat Pay did not accept customsd\'s signature (key or clock). Ask the system administrator; once fixed, Retry.',
      '微信支付未通过 customsd 的签名校验（密钥或服务器时间）。请联系系统管理员，修复后点“重试”。'],
    'next.transient': ['WeChat Pay was busy or had a system error several times. Retry asks again; if it keeps failing, contact WeChat Pay with the Request-ID.',
      '微信支付多次繁忙或系统错误。点“重试”再次发送；如仍失败，请带上 Request-ID 联系微信支付。'],
    'next.identity': ['The payer\'s identity does not match WeChat Pay\'s records, so customs cannot take it. Contact the buyer; Cancel it if the order was refunded.',
      '支付人身份信息与微信支付登记不符，无法申报。请联系买家；如订单已退款，请“取消申报”。'],
    'next.refused': ['WeChat Pay refused it. Read WeChat\'s message: correct the data with Modify, or Retry once the cause is fixed elsewhere.',
      '微信支付拒绝了该申报。请阅读微信的提示：用“修改”更正数据，或在其他原因解决后点“重试”。'],
    'next.fail': ['Customs rejected it. Fix the order data with the customs broker, then use Modify: the corrected order is declared again. (WeChat Pay does not allow a re-push of a FAIL.)',
      '海关审核未通过。请与报关行核对并更正订单数据，然后用“修改”重新申报。（失败状态不能重推。）'],
    'next.except': ['The customs interface had an error and the automatic re-pushes did not help. Check with WeChat Pay or customs, then Redeclare re-pushes it.',
      '海关接口异常，自动重推未能解决。请与微信支付或海关确认后点“重推”。'],
    'next.other': ['No final answer came in time. Retry asks WeChat Pay again; if it keeps happening, give WeChat Pay support the Request-ID from the history.',
      '未及时得到最终结果。点“重试”再次向微信支付查询；如反复出现，请把历史记录中的 Request-ID 提供给微信支付客服。'],
    'act.retry': ['Retry', '重试'],
    'act.modify': ['Modify', '修改'],
    'act.redeclare': ['Redeclare', '重推'],
    'act.cancel': ['Cancel', '取消申报'],
    'act.details': ['Details', '详情'],
    'done.retry': ['Retry recorded for {order}: customsd works on it again now.', '已为 {order} 登记重试，customsd 会立即重新处理。'],
    'done.redeclare': ['Re-push recorded for {order}.', '已为 {order} 登记重推。'],
    'done.cancel': ['{order} is cancelled. Retry brings it back.', '{order} 已取消申报，可用“重试”恢复。'],
    'done.modify': ['Changes to {order} saved; customsd sends them to WeChat Pay now.', '{order} 的修改已保存，customsd 会立即发送给微信支付。'],
    'err.network': ['customsd cannot be reached. Check your connection.', '无法连接 customsd，请检查网络。'],
    'err.503': ['The database is busy or unavailable; try again in a moment.', '数据库暂不可用，请稍后再试。'],
    'err.409': ['Not done: {msg}', '未执行：{msg}'],
    'err.404': ['Not found: {msg}', '未找到：{msg}'],
    'err.generic': ['Error {status}: {msg}', '错误 {status}：{msg}'],
    'err.refresh': ['Could not refresh ({msg}). Trying again every 3 seconds.', '刷新失败（{msg}），每 3 秒自动重试。'],
    'search.title': ['Search declarations', '查询申报单'],
    'search.hint': ['Exact values. Leave everything empty to list the newest declarations.', '按完整值精确查询。全部留空则列出最新的申报单。'],
    'search.any': ['any', '全部'],
    'search.submit': ['Search', '查询'],
    'search.more': ['Load more', '加载更多'],
    'search.empty': ['No declarations match.', '没有符合条件的申报单。'],
    'search.count': ['{n} shown', '显示 {n} 笔'],
    'detail.title': ['Declaration {order}', '申报单 {order}'],
    'detail.history': ['History (newest first)', '历史记录（最新在前）'],
    'detail.noHistory': ['No events recorded.', '暂无记录。'],
    'detail.notfound': ['There is no declaration with ID {id}.', '没有 ID 为 {id} 的申报单。'],
    'detail.fields': ['Details', '详细信息'],
    'detail.alerts': ['Alerts', '告警'],
    'detail.noAlerts': ['This declaration raised no alert.', '此申报单未产生告警。'],
    'detail.alert.delivered': ['delivered {time}', '已于 {time} 发出'],
    'detail.alert.pending': ['not delivered yet', '尚未发出'],
    'detail.alert.acked': ['acknowledged by {who}', '已由 {who} 确认'],
    'detail.notifications': ['Notifications to the order system', '发给订单系统的通知'],
    'detail.noNotifications': ['No result notification yet.', '暂无结果通知。'],
    'detail.notify.delivered': ['delivered to {list}', '已送达 {list}'],
    'detail.notify.pending': ['waiting for {list}', '等待送达 {list}'],
    'detail.notify.noReceiver': ['no [[notify]] receiver is configured', '未配置 [[notify]] 接收方'],
    'ev.http': ['HTTP', 'HTTP'],
    'ev.code': ['Error code', '错误码'],
    'ev.requestId': ['Request-ID', 'Request-ID'],
    'ev.state': ['State', '状态'],
    'ev.phase': ['Phase', '阶段'],
    'ev.k.created': ['Added', '已添加'],
    'ev.k.declare_sent': ['Declaration sent to WeChat Pay', '已向微信支付发送申报'],
    'ev.k.declared': ['WeChat Pay accepted the declaration', '微信支付已受理申报'],
    'ev.k.modify_sent': ['Modification sent', '已发送修改'],
    'ev.k.modified': ['WeChat Pay accepted the modification', '微信支付已受理修改'],
    'ev.k.redeclare_sent': ['Re-push sent', '已发送重推'],
    'ev.k.redeclared': ['WeChat Pay accepted the re-push', '微信支付已受理重推'],
    'ev.k.polled': ['Result queried', '已查询结果'],
    'ev.k.refused': ['WeChat Pay refused', '微信支付拒绝'],
    'ev.k.retry': ['Temporary error; will try again', '临时错误，稍后重试'],
    'ev.k.unknown_outcome': ['Outcome unknown; WeChat Pay is asked first', '结果未知，将先向微信支付查询'],
    'ev.k.changed_since_accepted': ['Not sent: changed since WeChat Pay accepted it', '未发送：受理后数据被改动'],
    'ev.k.operator_retry': ['Retry by an operator', '操作员重试'],
    'ev.k.operator_redeclare': ['Re-push by an operator', '操作员重推'],
    'ev.k.operator_cancel': ['Cancelled by an operator', '操作员取消申报'],
    'ev.k.operator_modify': ['Modified by an operator', '操作员修改'],
    'ev.k.operator_edit': ['Edited directly in the database', '在数据库中被直接修改'],
    'f.id': ['ID', 'ID'], 'f.appid': ['App ID', 'App ID'], 'f.mchid': ['Merchant ID', '商户号'],
    'f.out_trade_no': ['Merchant order No.', '商户订单号'],
    'f.transaction_id': ['WeChat Pay order No.', '微信支付订单号'],
    'f.customs': ['Customs', '海关'],
    'f.merchant_customs_no': ['Merchant\'s customs registration No.', '商户海关备案号'],
    'f.duty': ['Tariff (duty)', '关税'],
    'f.sub_order_no': ['Merchant sub-order No.', '商户子订单号'],
    'f.fee_type': ['Currency', '币种'],
    'f.order_fee': ['Sub-order amount', '子订单金额'],
    'f.transport_fee': ['Logistics fee', '物流费'],
    'f.product_fee': ['Product price', '商品价格'],
    'f.state': ['State', '申报状态'], 'f.phase': ['Phase', '处理阶段'],
    'f.sub_order_id': ['WeChat sub-order No.', '微信子订单号'],
    'f.verify_department': ['Verification institution', '验核机构'],
    'f.verify_department_trade_id': ['Verification institution trade ID', '验核机构交易流水号'],
    'f.explanation': ['Customs\' explanation', '海关说明'],
    'f.modify_time': ['Last modified at WeChat Pay', '微信支付侧最后修改时间'],
    'f.attempts': ['Attempts', '尝试次数'],
    'f.next_attempt_at': ['Next step due', '下次处理时间'],
    'f.last_error_code': ['Last error code', '最近错误码'],
    'f.last_error_message': ['Last error message', '最近错误信息'],
    'f.last_http_status': ['Last HTTP status', '最近 HTTP 状态'],
    'f.created_at': ['Created', '创建时间'], 'f.updated_at': ['Updated', '更新时间'],
    'f.version': ['Version', '版本'],
    'modify.title': ['Modify declaration', '修改申报单'],
    'modify.intro': ['Only changed fields are sent. customsd then sends the change to WeChat Pay, which declares the order again by itself.',
      '只发送改动过的字段。customsd 随后把修改发送给微信支付，微信支付会自动重新申报。'],
    'modify.fen': ['in fen (1/100 CNY)', '单位：分'],
    'modify.plain': ['Not a split order: only split orders (with a sub-order No.) carry these three amounts.', '不是拆单：只有拆单（有子订单号）才有这三项金额。'],
    'modify.submit': ['Save and send', '保存并发送'],
    'modify.nothing': ['Nothing was changed.', '没有改动。'],
    'modify.fix': ['Please correct the marked fields.', '请更正标出的字段。'],
    'dialog.close': ['Close', '关闭'],
    'v.required': ['Required.', '必填。'],
    'v.tooLong': ['At most 32 characters (now {n}).', '最多 32 个字符（当前 {n} 个）。'],
    'v.chars': ['Only letters, digits, _ and - are allowed.', '只能包含字母、数字、_ 和 -。'],
    'v.fen': ['A whole number of fen, 0 or more (888 = ¥8.88).', '请输入不小于 0 的整数，单位为分（888 = ¥8.88）。'],
    'v.big': ['Too large.', '数值过大。'],
    'v.splitRequired': ['Required for a split order.', '拆单必须填写。'],
    'v.sum': ['Must equal logistics fee + product price ({t} + {p} = {s}).', '必须等于物流费 + 商品价格（{t} + {p} = {s}）。'],
    'cancel.title': ['Cancel declaration', '取消申报'],
    'cancel.intro': ['customsd stops working on it. It is kept with its history, and Retry brings it back. If WeChat Pay already accepted it, it stays filed there: WeChat Pay has no way to withdraw a declaration.',
      'customsd 将停止处理该申报，数据和历史记录会保留，可用“重试”恢复。若微信支付已受理，该申报仍保留在微信支付（微信支付不提供撤回）。'],
    'cancel.reason': ['Reason (kept in the history)', '原因（记入历史记录）'],
    'cancel.submit': ['Cancel declaration', '确认取消申报'],
    'footer.zone': ['Times are shown in your time zone: {zone}', '时间按您所在时区显示：{zone}'],
    'age.d': ['{n} d', '{n}天'], 'age.h': ['{n} h', '{n}小时'], 'age.m': ['{n} min', '{n}分钟'], 'age.s': ['{n} s', '{n}秒'],
  };

  // ---- language -------------------------------------------------------------------------
  const store = (area) => ({
    get: (k) => { try { return window[area].getItem(k); } catch { return null; } },
    set: (k, v) => { try { window[area].setItem(k, v); } catch { /* private mode: work without */ } },
    del: (k) => { try { window[area].removeItem(k); } catch { /* ignore */ } },
  });
  const session = store('sessionStorage');
  const local = store('localStorage');
  let lang = local.get(LANG_KEY) || ((navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en');
  if (lang !== 'zh' && lang !== 'en') lang = 'en';

  function t(key, vars, which = lang) {
    const pair = WORDS[key];
    let s = pair ? pair[which === 'zh' ? 1 : 0] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  }

  function applyStaticWords() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('app.title') + ' · customsd';
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
    $('footer-zone').textContent = t('footer.zone', { zone: zoneName() });
    fillSelect('search-state', STATES, (v) => `${v} · ${t('state.' + v)}`);
    fillSelect('search-phase', PHASES, (v) => `${v} · ${t('phase.' + v)}`);
  }

  function fillSelect(id, values, label) {
    const sel = $(id);
    const keep = sel.value;
    fill(sel, h('option', { value: '' }, t('search.any')), ...values.map((v) => h('option', { value: v }, label(v))));
    sel.value = keep;
  }

  // ---- DOM helpers ----------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
    return el;
  }

  // replaceChildren() would turn a null into the text "null"; optional parts are null here.
  const fill = (el, ...kids) => el.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));

  const stateBadge = (s, testid) => h('span', { class: 'badge state-' + s, title: t('state.' + s), testid }, s);
  const phaseBadge = (p, testid) => h('span', { class: 'badge phase-' + p, title: t('phase.' + p), testid }, p);
  const orderLabel = (d) => d.out_trade_no + (d.sub_order_no ? ' / ' + d.sub_order_no : '');
  const declLink = (d) => h('a', { href: '#/declaration/' + Number(d.id), class: 'order-link' }, orderLabel(d));

  // ---- times and amounts ----------------------------------------------------------------
  const zoneName = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
  // Numeric YYYY-MM-DD HH:MM:SS in the browser's zone: unambiguous in both languages.
  const timeFmt = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  function fmtTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    const p = Object.fromEntries(timeFmt.formatToParts(d).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  }
  function fmtAge(seconds) {
    let s = Math.max(0, Math.floor(seconds));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const hr = Math.floor(s / 3600); s -= hr * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const parts = d ? [['d', d], ['h', hr]] : hr ? [['h', hr], ['m', m]] : m ? [['m', m]] : [['s', s]];
    return parts.filter(([, n], i) => n || i === 0).map(([u, n]) => t('age.' + u, { n })).join(lang === 'zh' ? '' : ' ');
  }
  const yuan = (fen) => '¥' + (fen / 100).toFixed(2);
  // The server reads these as instants; local midnight and local Monday 00:00 with the offset.
  function isoLocal(d) {
    const p = (n) => String(n).padStart(2, '0');
    const off = -d.getTimezoneOffset();
    const a = Math.abs(off);
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` +
      `${off >= 0 ? '+' : '-'}${p(Math.floor(a / 60))}:${p(a % 60)}`;
  }

  // ---- API ------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, message, problems) { super(message); this.status = status; this.problems = problems || []; }
  }
  const token = () => session.get(TOKEN_KEY);

  async function api(method, path, body) {
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + token() };
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    let res;
    try { res = await fetch(path, init); } catch { throw new ApiError(0, t('err.network')); }
    let data = null;
    try { data = await res.json(); } catch { /* an empty or non-JSON answer */ }
    if (res.status === 401) {
      signOut('login.expired');
      throw new ApiError(401, t('login.expired'));
    }
    if (!res.ok) throw new ApiError(res.status, (data && data.error) || res.statusText || 'HTTP ' + res.status, data && data.problems);
    return data;
  }

  function errorText(e) {
    if (!(e instanceof ApiError)) return String(e && e.message || e);
    if (e.status === 0 || e.status === 401) return e.message;
    if (e.status === 503) return t('err.503');
    if (e.status === 409) return t('err.409', { msg: e.message });
    if (e.status === 404) return t('err.404', { msg: e.message });
    return t('err.generic', { status: e.status, msg: e.message });
  }

  async function fetchPages(params, pages) {
    const items = [];
    let cursor = null;
    for (let i = 0; i < pages; i++) {
      const q = new URLSearchParams(params);
      if (cursor) q.set('cursor', cursor);
      const page = await api('GET', '/v1/declarations?' + q);
      items.push(...page.declarations);
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    return { items, more: Boolean(cursor) };
  }

  // ---- status line ----------------------------------------------------------------------
  let statusTimer = 0;
  function say(text, kind = 'ok') {
    const el = $('status-line');
    el.textContent = text;
    el.className = 'status-line ' + kind;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { el.textContent = ''; el.className = 'status-line'; }, kind === 'error' ? 20000 : 10000);
  }

  // ---- polling: one loop for the shown view, paused while the tab is hidden ---------------
  const poll = { gen: 0, timer: 0, fn: null, running: 0, again: false };
  function startPolling(fn) {
    stopPolling();
    poll.fn = fn;
    run(poll.gen);
  }
  function stopPolling() { poll.gen++; poll.fn = null; poll.again = false; clearTimeout(poll.timer); }
  // After an action: fetch now; if a fetch is under way its answer may predate the action, so
  // the next one follows at once.
  function refreshNow() {
    if (!poll.fn) return;
    if (poll.running === poll.gen) { poll.again = true; return; }
    clearTimeout(poll.timer);
    run(poll.gen);
  }
  async function run(gen) {
    if (gen !== poll.gen || document.visibilityState !== 'visible') return;
    poll.running = gen;
    try {
      await poll.fn(() => gen === poll.gen);
      if (gen === poll.gen) $('load-error').hidden = true;
    } catch (e) {
      if (gen === poll.gen && !(e instanceof ApiError && e.status === 401)) {
        $('load-error').textContent = t('err.refresh', { msg: errorText(e) });
        $('load-error').hidden = false;
      }
    } finally {
      if (poll.running === gen) poll.running = 0;
    }
    const delay = poll.again ? 0 : POLL_MS;
    poll.again = false;
    if (gen === poll.gen && poll.fn) poll.timer = setTimeout(() => run(gen), delay);
  }
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') refreshNow(); });

  // ---- what can be done with a declaration (mirrors daemon/workflow/operator_rules.cc) ----
  function allowed(d) {
    return {
      retry: d.phase === 'attention' || d.phase === 'cancelled',
      modify: d.phase !== 'cancelled',
      redeclare: (d.state === 'SUCCESS' || d.state === 'EXCEPT') && d.phase !== 'cancelled' && d.phase !== 'modify',
      cancel: d.phase !== 'done' && d.phase !== 'cancelled',
    };
  }

  // Which group of "needs attention" a declaration belongs to, and the advice for it.
  function causeOf(d) {
    if (d.state === 'FAIL') return { cause: 'fail', key: d.explanation || '', advice: 'next.fail', primary: 'modify' };
    // An upper-case code is WeChat's; customsd's own outcome classes (retry, unknown) are lower case.
    if (d.last_error_code && /^[A-Z]/.test(d.last_error_code)) {
      const c = d.last_error_code.replace(/_/g, '');
      if (c === 'PARAMERROR' || c === 'PARAMERR' || c === 'INVALIDREQUEST') return refused(d, 'next.fix', 'modify');
      if (c === 'NOAUTH') return refused(d, 'next.noauth', 'retry');
      if (c === 'SIGNERROR') return refused(d, 'next.sign', 'retry');
      if (c === 'USERACCOUNTABNORMAL') return refused(d, 'next.identity', 'cancel');
      if (c === 'SYSTEMERROR' || c.includes('LIMIT') || c === 'SERVICEUNAVAILABLE') return refused(d, 'next.transient', 'retry');
      return refused(d, 'next.refused', 'modify');
    }
    if (d.state === 'EXCEPT') return { cause: 'except', key: 'EXCEPT', advice: 'next.except', primary: 'redeclare' };
    return { cause: 'other', key: '', advice: 'next.other', primary: 'retry' };
  }
  const refused = (d, advice, primary) => ({ cause: 'refused', key: d.last_error_code, advice, primary });

  function groupTitle(c) {
    if (c.cause === 'refused') return t('cause.refused', { code: c.key });
    if (c.cause === 'fail') return t('cause.fail', { why: c.key || t('cause.fail.none') });
    return t('cause.' + c.cause);
  }

  // Shows the advice in the chosen language, and the other one beneath for a mixed team.
  function adviceBox(key) {
    const other = lang === 'zh' ? 'en' : 'zh';
    return h('div', { class: 'advice', testid: 'next-step' },
      h('strong', {}, t('next.label') + ': '), h('span', {}, t(key)),
      h('p', { class: 'advice-alt', lang: other === 'zh' ? 'zh-CN' : 'en' }, t(key, null, other)));
  }

  function actionButtons(d, primary) {
    const can = allowed(d);
    const box = h('div', { class: 'actions' });
    for (const kind of ['retry', 'modify', 'redeclare', 'cancel']) {
      if (!can[kind]) continue;
      const cls = 'btn' + (kind === primary ? ' primary' : '') + (kind === 'cancel' ? ' quiet' : '');
      const b = h('button', { type: 'button', class: cls, testid: `action-${kind}-${d.id}` }, t('act.' + kind));
      b.addEventListener('click', () => act(d, kind, b));
      box.append(b);
    }
    return box;
  }

  async function act(d, kind, button) {
    if (kind === 'modify') return openModify(d);
    if (kind === 'cancel') return openCancel(d);
    button.disabled = true;
    try {
      await api('POST', `/v1/declarations/${Number(d.id)}/${kind}`, {});
      say(t('done.' + kind, { order: orderLabel(d) }));
      refreshNow();
    } catch (e) {
      if (e.status !== 401) say(errorText(e), 'error');
    } finally {
      button.disabled = false;
    }
  }

  // ---- overview -------------------------------------------------------------------------
  function card(label, value, testid, opts = {}) {
    const tag = opts.href ? 'a' : 'div';
    return h(tag, { class: 'card' + (opts.warn ? ' warn' : ''), href: opts.href },
      h('span', { class: 'card-label' }, label),
      h('span', { class: 'card-value', testid }, String(value)),
      opts.sub ? h('span', { class: 'card-sub' }, opts.sub) : null);
  }

  async function loadOverview(current) {
    const now = new Date();
    const monday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - ((now.getDay() + 6) % 7));
    const q = new URLSearchParams({
      day_start: isoLocal(new Date(now.getFullYear(), now.getMonth(), now.getDate())),
      week_start: isoLocal(monday),
    });
    const s = await api('GET', '/v1/stats?' + q);
    if (!current()) return;
    renderOverview(s);
  }

  function renderOverview(s) {
    const byState = s.by_state || {};
    const byPhase = s.by_phase || {};
    setNavCount(byPhase.attention || 0);
    const oldest = s.oldest_unfinished_age_seconds;
    fill($('ov-main'),
      card(t('ov.total'), s.total || 0, 'overview-total', { href: '#/search?all=1' }),
      card(t('nav.attention'), byPhase.attention || 0, 'overview-attention', { href: '#/attention', warn: byPhase.attention > 0 }),
      card(t('ov.today'), s.created_today || 0, 'overview-today'),
      card(t('ov.week'), s.created_this_week || 0, 'overview-week'),
      card(t('ov.oldest'), oldest === null || oldest === undefined ? t('ov.oldest.none') : fmtAge(oldest), 'overview-oldest',
        { sub: s.oldest_unfinished_created_at ? t('ov.since', { time: fmtTime(s.oldest_unfinished_created_at) }) : null }),
      card(t('ov.alerts'), s.alerts_pending || 0, 'overview-alerts-pending', { warn: s.alerts_pending > 0 }),
      card(t('ov.notify'), s.notifications_undelivered || 0, 'overview-notifications-undelivered', { warn: s.notifications_undelivered > 0 }),
      card(t('ov.receivers'), s.notify_receivers_failing || 0, 'overview-receivers-failing', { warn: s.notify_receivers_failing > 0 }));
    fill($('ov-states'), ...STATES.map((st) =>
      card(st + ' · ' + t('state.' + st), byState[st] || 0, 'overview-state-' + st,
        { href: '#/search?state=' + st, warn: (st === 'FAIL' || st === 'EXCEPT') && byState[st] > 0 })));
    fill($('ov-phases'), ...PHASES.map((ph) =>
      card(ph + ' · ' + t('phase.' + ph), byPhase[ph] || 0, 'overview-phase-' + ph,
        { href: ph === 'attention' ? '#/attention' : '#/search?phase=' + ph, warn: ph === 'attention' && byPhase[ph] > 0 })));
    renderMerchantTable(s.by_merchant_customs || []);
    renderHolds(s.holds || []);
    $('ov-updated').textContent = t('updated', { time: fmtTime(new Date().toISOString()) });
  }

  function renderMerchantTable(rows) {
    const pivot = new Map();
    for (const r of rows) {
      const k = r.mchid + '\u0000' + r.customs;
      if (!pivot.has(k)) pivot.set(k, { mchid: r.mchid, customs: r.customs, st: {}, attention: 0, total: 0 });
      const p = pivot.get(k);
      p.st[r.state] = (p.st[r.state] || 0) + r.count;
      if (r.phase === 'attention') p.attention += r.count;
      p.total += r.count;
    }
    const list = [...pivot.values()].sort((a, b) => a.mchid.localeCompare(b.mchid) || a.customs.localeCompare(b.customs));
    if (!list.length) { fill($('ov-table'), h('p', { class: 'muted' }, t('ov.none'))); return; }
    const heads = [t('f.mchid'), t('f.customs'), ...STATES, t('nav.attention'), t('ov.rowTotal'), ''];
    const body = list.map((p) => {
      const cells = [p.mchid, p.customs, ...STATES.map((st) => String(p.st[st] || 0)), String(p.attention), String(p.total)];
      const q = new URLSearchParams({ mchid: p.mchid, customs: p.customs });
      return h('tr', { testid: `overview-mc-${p.mchid}-${p.customs}` },
        cells.map((c, i) => h('td', { 'data-label': heads[i], class: i >= 2 ? 'num' + (i === 2 + STATES.length && p.attention ? ' hot' : '') : null }, c)),
        h('td', { 'data-label': '' }, h('a', { href: '#/search?' + q }, t('ov.list'))));
    });
    fill($('ov-table'), h('table', { class: 'grid', testid: 'overview-by-merchant' },
      h('thead', {}, h('tr', {}, heads.map((x, i) => h('th', { scope: 'col', class: i >= 2 && x ? 'num' : null }, x)))),
      h('tbody', {}, body)));
  }

  function renderHolds(holds) {
    if (!holds.length) { fill($('ov-holds'), h('p', { class: 'muted', testid: 'overview-holds-none' }, t('ov.holds.none'))); return; }
    fill($('ov-holds'),
      h('p', { class: 'muted small' }, t('ov.holds.help')),
      h('ul', { class: 'holds', testid: 'overview-holds' }, holds.map((x) =>
        h('li', { class: 'hold' },
          h('strong', {}, x.customs === null ? t('ov.hold.merchant', { mchid: x.mchid }) : t('ov.hold.customs', { mchid: x.mchid, customs: x.customs })),
          ' ', h('code', {}, x.cause)))));
  }

  function setNavCount(n) {
    const el = $('nav-attention-count');
    el.textContent = String(n);
    el.hidden = !n;
  }

  // ---- needs attention ------------------------------------------------------------------
  let lastAttention = '';
  async function loadAttention(current) {
    const att = await fetchPages({ phase: 'attention', limit: 1000 }, ATTENTION_PAGES);
    // A customs FAIL settles in phase "done", yet it is the case staff most often act on.
    const fail = await fetchPages({ state: 'FAIL', phase: 'done', limit: FAIL_LIMIT }, 1);
    if (!current()) return;
    const sig = JSON.stringify([att, fail, lang]);
    if (sig === lastAttention) return; // unchanged: keep the DOM (and focus, and half-done clicks)
    lastAttention = sig;
    renderAttention(att, fail);
  }

  function renderAttention(att, fail) {
    setNavCount(att.items.length);
    const summary = [t('att.summary', { n: att.items.length + (att.more ? '+' : '') })];
    if (fail.items.length) summary.push(t('att.failSummary', { n: fail.items.length + (fail.more ? '+' : '') }));
    $('att-summary').textContent = summary.join(' · ');
    const groups = new Map();
    for (const d of [...att.items, ...fail.items]) {
      const c = causeOf(d);
      const k = c.cause + '\u0000' + c.key;
      if (!groups.has(k)) groups.set(k, { c, items: [] });
      groups.get(k).items.push(d);
    }
    const order = ['refused', 'fail', 'except', 'other'];
    const list = [...groups.values()].sort((a, b) =>
      order.indexOf(a.c.cause) - order.indexOf(b.c.cause) || b.items.length - a.items.length);
    const out = list.map(({ c, items }) => h('section', { class: 'group cause-' + c.cause, testid: 'attention-group', 'data-cause': c.cause, 'data-key': c.key },
      h('h3', {}, groupTitle(c), ' ', h('span', { class: 'count' }, String(items.length))),
      adviceBox(c.advice),
      h('div', { class: 'rows' }, items.map((d) => attentionRow(d, causeOf(d))))));
    if (!out.length) out.push(h('p', { class: 'empty', testid: 'attention-empty' }, t('att.empty')));
    if (att.more || fail.more) out.push(h('p', { class: 'muted' }, t('att.truncated', { n: att.items.length + fail.items.length })));
    fill($('att-groups'), ...out);
    $('att-updated').textContent = t('updated', { time: fmtTime(new Date().toISOString()) });
  }

  function attentionRow(d, c) {
    const said = c.cause === 'fail' ? d.explanation : d.last_error_message;
    return h('article', { class: 'row', testid: `attention-row-${d.id}` },
      h('div', { class: 'row-main' },
        declLink(d),
        h('span', { class: 'row-meta' }, `${d.customs} · ${t('f.mchid')} ${d.mchid} · ID ${d.id}`),
        said ? h('span', { class: 'wechat-said' }, said) : null),
      h('div', { class: 'row-state' }, stateBadge(d.state), phaseBadge(d.phase),
        h('span', { class: 'row-meta' }, t('f.updated_at') + ' ' + fmtTime(d.updated_at))),
      h('div', { class: 'row-actions' }, actionButtons(d, c.primary),
        h('a', { class: 'btn link', href: '#/declaration/' + Number(d.id) }, t('act.details'))));
  }

  // ---- search ---------------------------------------------------------------------------
  const SEARCH_KEYS = ['out_trade_no', 'sub_order_no', 'transaction_id', 'customs', 'mchid', 'state', 'phase'];
  let searchCursor = null;
  let searchParams = null;

  function initSearch(params) {
    for (const k of SEARCH_KEYS) $('search-' + k).value = params.get(k) || '';
    const wanted = SEARCH_KEYS.some((k) => params.get(k)) || params.has('all');
    $('search-results-box').hidden = !wanted;
    if (wanted) runSearch(params, false);
  }

  async function runSearch(params, more) {
    const q = new URLSearchParams();
    for (const k of SEARCH_KEYS) if (params.get(k)) q.set(k, params.get(k));
    q.set('limit', '100');
    if (more && searchCursor) q.set('cursor', searchCursor);
    else { searchParams = params; fill($('search-tbody')); }
    $('search-submit').disabled = true;
    try {
      const page = await api('GET', '/v1/declarations?' + q);
      if (params !== searchParams) return; // a newer search replaced this one
      searchCursor = page.next_cursor;
      $('search-tbody').append(...page.declarations.map(searchRow));
      const n = $('search-tbody').children.length;
      $('search-count').textContent = t('search.count', { n });
      $('search-empty').hidden = n > 0;
      $('search-table').hidden = n === 0;
      $('search-more').hidden = !searchCursor;
      $('search-results-box').hidden = false;
    } catch (e) {
      if (e.status !== 401) say(errorText(e), 'error');
    } finally {
      $('search-submit').disabled = false;
    }
  }

  function searchRow(d) {
    const cell = (key, ...content) => h('td', { 'data-label': t('f.' + key) }, ...content);
    return h('tr', { testid: `search-row-${d.id}` },
      cell('id', String(d.id)), cell('out_trade_no', declLink(d)),
      cell('transaction_id', d.transaction_id), cell('customs', d.customs), cell('mchid', d.mchid),
      cell('state', stateBadge(d.state)), cell('phase', phaseBadge(d.phase)),
      cell('updated_at', fmtTime(d.updated_at)));
  }

  function submitSearch(ev) {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of SEARCH_KEYS) { const v = $('search-' + k).value.trim(); if (v) q.set(k, v); }
    if (![...q.keys()].length) q.set('all', '1');
    const hash = '#/search?' + q;
    if (location.hash === hash) runSearch(q, false); else location.hash = hash;
  }

  // ---- declaration page -----------------------------------------------------------------
  let lastDetail = '';
  async function loadDetail(id, current) {
    let d;
    try {
      d = await api('GET', '/v1/declarations/' + id);
    } catch (e) {
      if (e.status !== 404 || !current()) throw e;
      lastDetail = '';
      fill($('detail'), h('p', { class: 'empty', testid: 'detail-notfound' }, t('detail.notfound', { id })));
      return;
    }
    if (!current()) return;
    const sig = JSON.stringify([d, lang]);
    if (sig === lastDetail) return;
    lastDetail = sig;
    renderDetail(d);
  }

  function renderDetail(d) {
    const c = causeOf(d);
    const needsPerson = d.phase === 'attention' || (d.state === 'FAIL' && d.phase === 'done');
    const dl = h('dl', { class: 'fields', testid: 'detail-fields' });
    for (const f of DETAIL_FIELDS) {
      let v = d[f];
      if (v === undefined || v === null || v === '') v = '—';
      else if (FEN_FIELDS.has(f)) v = `${v} (${yuan(v)})`;
      else if (TIME_FIELDS.has(f)) v = fmtTime(v);
      dl.append(h('div', { class: 'field' },
        h('dt', {}, t('f.' + f), h('code', { class: 'field-name' }, f)),
        h('dd', { testid: 'detail-field-' + f }, String(v))));
    }
    const events = [...(d.history || [])].sort((a, b) => b.id - a.id);
    fill($('detail'),
      h('div', { class: 'detail-head' },
        h('h2', {}, t('detail.title', { order: orderLabel(d) })),
        h('div', { class: 'badges' },
          stateBadge(d.state, 'detail-state'),
          h('span', { class: 'badge-text' }, t('state.' + d.state)),
          phaseBadge(d.phase, 'detail-phase'),
          h('span', { class: 'badge-text' }, t('phase.' + d.phase)))),
      needsPerson ? h('section', { class: 'group cause-' + c.cause }, h('h3', {}, groupTitle(c)),
        (c.cause === 'fail' ? d.explanation : d.last_error_message) ? h('p', { class: 'wechat-said' }, c.cause === 'fail' ? d.explanation : d.last_error_message) : null,
        adviceBox(c.advice)) : null,
      actionButtons(d, needsPerson ? c.primary : null),
      h('section', { class: 'panel' }, h('h3', {}, t('detail.fields')), dl),
      h('section', { class: 'panel' }, h('h3', {}, t('detail.history')),
        events.length ? h('ol', { class: 'timeline', testid: 'detail-history' }, events.map(eventItem))
          : h('p', { class: 'muted' }, t('detail.noHistory'))),
      h('section', { class: 'panel' }, h('h3', {}, t('detail.alerts')),
        (d.alerts || []).length ? h('ul', { class: 'alerts', testid: 'detail-alerts' }, d.alerts.map(alertItem))
          : h('p', { class: 'muted' }, t('detail.noAlerts'))),
      h('section', { class: 'panel' }, h('h3', {}, t('detail.notifications')),
        (d.notifications || []).length ? h('ul', { class: 'notifications', testid: 'detail-notifications' }, d.notifications.map(notificationItem))
          : h('p', { class: 'muted' }, t('detail.noNotifications'))));
    $('detail-updated').textContent = t('updated', { time: fmtTime(new Date().toISOString()) });
  }

  function alertItem(a) {
    return h('li', { class: 'alert-item', testid: `detail-alert-${a.id}` },
      h('div', { class: 'ev-head' }, h('time', { datetime: a.created_at }, fmtTime(a.created_at)), h('code', { class: 'field-name' }, a.cause)),
      h('p', { class: 'ev-message' }, a.summary),
      h('p', { class: 'muted small' },
        a.delivered_at ? t('detail.alert.delivered', { time: fmtTime(a.delivered_at) }) : t('detail.alert.pending'),
        a.acknowledged_by ? ' · ' + t('detail.alert.acked', { who: a.acknowledged_by }) : ''));
  }

  function notificationItem(n) {
    const parts = [];
    if (n.delivered_to.length) parts.push(t('detail.notify.delivered', { list: n.delivered_to.join(', ') }));
    if (n.pending_for.length) parts.push(t('detail.notify.pending', { list: n.pending_for.join(', ') }));
    if (!parts.length) parts.push(t('detail.notify.noReceiver'));
    return h('li', { class: 'notification-item', testid: `detail-notification-${n.event_id}` },
      h('div', { class: 'ev-head' }, h('time', { datetime: n.at }, fmtTime(n.at)), h('code', { class: 'field-name' }, n.type)),
      h('p', { class: 'muted small' }, parts.join(' · ')));
  }

  function eventItem(e) {
    const change = (label, from, to) => (from || to) && from !== to
      ? h('span', { class: 'ev-change' }, `${label}: ${from || '—'} → ${to || '—'}`) : null;
    const known = WORDS['ev.k.' + e.kind];
    return h('li', { class: 'event' + (e.error_code ? ' has-error' : ''), testid: `history-event-${e.id}` },
      h('div', { class: 'ev-head' },
        h('time', { datetime: e.at }, fmtTime(e.at)),
        h('strong', {}, known ? t('ev.k.' + e.kind) : e.kind),
        known ? h('code', { class: 'field-name' }, e.kind) : null),
      h('div', { class: 'ev-facts' },
        change(t('ev.state'), e.from_state, e.to_state),
        change(t('ev.phase'), e.from_phase, e.to_phase),
        e.http_status !== null && e.http_status !== undefined ? h('span', {}, `${t('ev.http')} ${e.http_status}`) : null,
        e.error_code ? h('span', { class: 'ev-code' }, `${t('ev.code')}: ${e.error_code}`) : null),
      e.message ? h('p', { class: 'ev-message' }, e.message) : null,
      e.request_id ? h('p', { class: 'ev-request' }, t('ev.requestId') + ': ',
        h('code', { class: 'copyable', testid: `history-request-id-${e.id}` }, e.request_id)) : null);
  }

  // ---- modify dialog --------------------------------------------------------------------
  let modifyTarget = null;

  function openModify(d) {
    modifyTarget = d;
    const split = Boolean(d.sub_order_no);
    $('modify-which').textContent = `${orderLabel(d)} · ${d.customs} · ID ${d.id}`;
    for (const f of MODIFY_FIELDS) {
      const input = $('modify-' + f);
      input.value = d[f] === undefined || d[f] === null ? '' : String(d[f]);
      input.disabled = SPLIT_FEES.includes(f) && !split;
      showFen(f);
    }
    $('modify-plain-note').hidden = split;
    clearModifyErrors();
    $('modify-dialog').showModal();
    $('modify-merchant_customs_no').focus();
  }

  function clearModifyErrors() {
    fill($('modify-error'));
    $('modify-error').hidden = true;
    for (const f of MODIFY_FIELDS) setFieldError(f, '');
  }

  function setFieldError(f, msg) {
    const el = $('modify-err-' + f);
    el.textContent = msg;
    el.hidden = !msg;
    $('modify-' + f).setAttribute('aria-invalid', msg ? 'true' : 'false');
  }

  function showFen(f) {
    if (!FEN_FIELDS.has(f)) return;
    const v = $('modify-' + f).value.trim();
    $('modify-yuan-' + f).textContent = /^\d{1,16}$/.test(v) ? '= ' + yuan(Number(v)) : '';
  }

  // Rules, as WeChat Pay checks them (cited so they can be re-checked against the sources):
  // - merchant_customs_no: string[1,32] (shared/reference/seeds/declare-api-en.txt, request
  //   parameters); the characters [A-Za-z0-9_-] are customsd's own intake rule
  //   (daemon/intake/field_checks.h, README "Declaring"). The same page's error table says
  //   "should be a 6-digit string"; the field table and its example contradict it, so only
  //   the 1-32 rule is enforced here.
  // - duty and the fees: int, "in 0.01 CNY" (declare-api-en.txt), whole fen >= 0, at most 2^53
  //   (field_checks.h: kMaxFen).
  // - order_fee, transport_fee, product_fee exist only on a split order (with sub_order_no):
  //   "It is required if there is a split order", and "Missing parameters in split
  //   declaration" (declare-api-en.txt); the server refuses them on a plain order.
  // - order_fee = transport_fee + product_fee ("order_fee=transport_fee+product_fee (payable
  //   amount = logistics fee + product price)", declare-api-en.txt; also
  //   wechatpay-global-customs.md §1). "Cannot exceed the original order amount" cannot be
  //   checked here: the payment amount is not known to the console.
  function checkModify(d) {
    const errors = {};
    const values = {};
    const mcn = $('modify-merchant_customs_no').value.trim();
    if (!mcn) errors.merchant_customs_no = t('v.required');
    else if ([...mcn].length > 32) errors.merchant_customs_no = t('v.tooLong', { n: [...mcn].length });
    else if (!/^[A-Za-z0-9_-]+$/.test(mcn)) errors.merchant_customs_no = t('v.chars');
    values.merchant_customs_no = mcn;
    const split = Boolean(d.sub_order_no);
    for (const f of FEN_FIELDS) {
      if (SPLIT_FEES.includes(f) && !split) continue;
      const raw = $('modify-' + f).value.trim();
      if (raw === '') {
        if (f !== 'duty') errors[f] = t('v.splitRequired');
        values[f] = null;
      } else if (!/^\d+$/.test(raw)) errors[f] = t('v.fen');
      else if (raw.length > 16 || Number(raw) > 2 ** 53) errors[f] = t('v.big');
      else values[f] = Number(raw);
    }
    if (split && !SPLIT_FEES.some((f) => errors[f])) {
      const { order_fee: o, transport_fee: tr, product_fee: p } = values;
      if (o !== tr + p) errors.order_fee = t('v.sum', { t: tr, p, s: tr + p });
    }
    // Only what changed goes out: an unchanged field must not look like an edit in the history.
    const body = {};
    for (const [f, v] of Object.entries(values)) {
      const old = d[f] === undefined ? null : d[f];
      if (v !== old) body[f] = v;
    }
    return { errors, body };
  }

  async function submitModify(ev) {
    ev.preventDefault();
    const d = modifyTarget;
    if (!d) return;
    clearModifyErrors();
    const { errors, body } = checkModify(d);
    if (Object.keys(errors).length) {
      for (const [f, msg] of Object.entries(errors)) setFieldError(f, msg);
      showModifyError(t('modify.fix'), []);
      return;
    }
    if (!Object.keys(body).length) { showModifyError(t('modify.nothing'), []); return; }
    $('modify-submit').disabled = true;
    try {
      await api('PATCH', '/v1/declarations/' + Number(d.id), body);
      $('modify-dialog').close();
      say(t('done.modify', { order: orderLabel(d) }));
      refreshNow();
    } catch (e) {
      if (e.status === 401) { $('modify-dialog').close(); return; }
      const general = [];
      for (const p of e.problems || []) {
        if (MODIFY_FIELDS.includes(p.field)) setFieldError(p.field, p.message);
        else general.push((p.field ? p.field + ': ' : '') + p.message);
      }
      showModifyError(errorText(e), general);
    } finally {
      $('modify-submit').disabled = false;
    }
  }

  function showModifyError(text, lines) {
    const box = $('modify-error');
    fill(box, h('p', {}, text), lines.length ? h('ul', {}, lines.map((l) => h('li', {}, l))) : null);
    box.hidden = false;
  }

  // ---- cancel dialog --------------------------------------------------------------------
  let cancelTarget = null;
  function openCancel(d) {
    cancelTarget = d;
    $('cancel-which').textContent = `${orderLabel(d)} · ${d.customs} · ID ${d.id}`;
    $('cancel-reason').value = '';
    $('cancel-error').hidden = true;
    $('cancel-dialog').showModal();
    $('cancel-reason').focus();
  }

  async function submitCancel(ev) {
    ev.preventDefault();
    const d = cancelTarget;
    if (!d) return;
    const reason = $('cancel-reason').value.trim();
    $('cancel-submit').disabled = true;
    try {
      await api('POST', `/v1/declarations/${Number(d.id)}/cancel`, reason ? { reason } : {});
      $('cancel-dialog').close();
      say(t('done.cancel', { order: orderLabel(d) }));
      refreshNow();
    } catch (e) {
      if (e.status === 401) { $('cancel-dialog').close(); return; }
      $('cancel-error').textContent = errorText(e);
      $('cancel-error').hidden = false;
    } finally {
      $('cancel-submit').disabled = false;
    }
  }

  // ---- login, routing -------------------------------------------------------------------
  function signOut(messageKey) {
    session.del(TOKEN_KEY);
    stopPolling();
    for (const id of ['modify-dialog', 'cancel-dialog']) if ($(id).open) $(id).close();
    showLogin(messageKey);
  }

  function showLogin(messageKey) {
    showView('login');
    $('nav').hidden = true;
    $('logout').hidden = true;
    $('login-message').textContent = messageKey ? t(messageKey) : '';
    $('login-message').hidden = !messageKey;
    $('login-token').focus();
  }

  function submitLogin(ev) {
    ev.preventDefault();
    const value = $('login-token').value.trim();
    if (!value) { $('login-message').textContent = t('login.empty'); $('login-message').hidden = false; return; }
    session.set(TOKEN_KEY, value);
    $('login-token').value = ''; // the token lives in sessionStorage only, not in the page
    route();
  }

  function showView(name) {
    for (const el of document.querySelectorAll('[data-view]')) el.hidden = el.dataset.view !== name;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.route === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }

  function route() {
    stopPolling();
    $('load-error').hidden = true;
    if (!token()) return showLogin();
    $('nav').hidden = false;
    $('logout').hidden = false;
    const raw = location.hash.replace(/^#\/?/, '');
    const [path, query = ''] = raw.split('?');
    const [name, arg] = path.split('/');
    if (name === 'overview' || name === '') { showView('overview'); startPolling(loadOverview); }
    else if (name === 'attention') { showView('attention'); lastAttention = ''; startPolling(loadAttention); }
    else if (name === 'search') { showView('search'); initSearch(new URLSearchParams(query)); }
    else if (name === 'declaration' && /^\d+$/.test(arg || '')) {
      showView('declaration');
      lastDetail = '';
      fill($('detail'));
      startPolling((current) => loadDetail(arg, current));
    } else location.replace('#/overview');
  }

  function init() {
    applyStaticWords();
    $('login-form').addEventListener('submit', submitLogin);
    $('logout').addEventListener('click', () => signOut('login.loggedout'));
    $('lang-toggle').addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      local.set(LANG_KEY, lang);
      applyStaticWords();
      if (token()) route(); // re-render the view in the new language
    });
    $('search-form').addEventListener('submit', submitSearch);
    $('search-more').addEventListener('click', () => searchParams && runSearch(searchParams, true));
    $('modify-form').addEventListener('submit', submitModify);
    $('cancel-form').addEventListener('submit', submitCancel);
    for (const f of FEN_FIELDS) $('modify-' + f).addEventListener('input', () => showFen(f));
    for (const b of document.querySelectorAll('[data-close]')) b.addEventListener('click', () => $(b.dataset.close).close());
    window.addEventListener('hashchange', route);
    route();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
