/* The gerai till (POS), offline-first. Cart, product and member look-up (type-ahead), quick cash, keyboard
   (Enter adds, F9 or Ctrl+Enter pays), camera scanning; a service worker (kasir/sw.js) keeps the page and its
   static files, IndexedDB keeps the catalogue and members of the shift and the queue of sales rung offline.
   Queued sales are sent to kasir/sinkron/ once each, with their client id (<device>-<uuid>); what the server
   refuses there becomes a sync exception for the manager (docs/dev/offline-till.md).
   Every name is put into the page with textContent, never as HTML. Configuration: the page's pos-config JSON. */
(function () {
'use strict';
const CFG = JSON.parse(document.getElementById('pos-config').textContent);
const URLS = CFG.urls, T = CFG.t, shiftId = CFG.shift;
const hx = document.body.getAttribute('hx-headers');
const csrf = hx ? JSON.parse(hx)['X-CSRFToken'] : '';
const $ = id => document.getElementById(id);

/* --- tiny DOM builder: strings become text nodes, never markup ------------------------------------------ */
function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  Object.entries(props || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'data') Object.entries(v).forEach(([dk, dv]) => { e.dataset[dk] = dv; });
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  });
  kids.forEach(c => { if (c !== null && c !== undefined) e.append(c); });
  return e;
}
const clear = node => node.replaceChildren();  // one step: a blur (→ change → render) fired mid-way cannot interleave

/* --- money (in cents, as the server rounds to 0.01) ---------------------------------------------------- */
const cents = v => Math.round(Number(v) * 100);
const rp = v => 'Rp' + Math.round(Number(v)).toLocaleString('id-ID');
const qtyText = v => Number(v).toLocaleString('id-ID');
const parseAmount = s => String(s || '').replace(/[^\d,]/g, '').replace(',', '.');

/* --- IndexedDB: meta (device, seq, last sync, catalogue time), products, members, queue -------------------- */
const DBNAME = 'kopdes-till-' + CFG.slug + '-u' + CFG.user;
let dbp = null;
function db() {
  if (dbp) return dbp;
  dbp = new Promise((res, rej) => {
    const r = indexedDB.open(DBNAME, 1);
    r.onupgradeneeded = () => {
      const d = r.result;
      d.createObjectStore('meta');
      d.createObjectStore('products', {keyPath: 'key'});
      d.createObjectStore('members', {keyPath: 'id'});
      d.createObjectStore('queue', {keyPath: 'client_id'});
    };
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  return dbp;
}
async function tx(store, mode, fn) {
  const d = await db();
  return new Promise((res, rej) => {
    const t = d.transaction(store, mode);
    let out;
    const req = fn(t.objectStore(store));
    if (req) req.onsuccess = () => { out = req.result; };
    t.oncomplete = () => res(out);
    t.onerror = () => rej(t.error);
    t.onabort = () => rej(t.error);
  });
}
const idb = {
  get: (st, k) => tx(st, 'readonly', s => s.get(k)),
  all: st => tx(st, 'readonly', s => s.getAll()),
  put: (st, v, k) => tx(st, 'readwrite', s => (k === undefined ? s.put(v) : s.put(v, k))),
  replace: (st, rows) => tx(st, 'readwrite', s => { s.clear(); rows.forEach(r => s.put(r)); }),
};

/* --- state ---------------------------------------------------------------------------------------------- */
let t0, t1;
let cart = [], member = null, busy = false, clientId = null, device = null;
let CAT = {products: [], members: [], credit_limit: '0', at: null};
let queue = [];
let online = navigator.onLine;
const uuid = () => (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
  : (Date.now().toString(36) + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2));
const dirty = () => { clientId = null; };
const pending = () => queue.filter(e => e.status === 'pending');

async function fetchJSON(url, opts, ms) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ms || 8000);
  try {
    const r = await fetch(url, Object.assign({signal: ctl.signal, credentials: 'same-origin'}, opts || {}));
    let d = {};
    try { d = await r.json(); } catch (e) { throw new TypeError('not json'); }
    online = true;
    return [r.status, d];
  } catch (e) {
    online = false;
    updateStatus();
    throw e;
  } finally { clearTimeout(timer); }
}
const post = (url, body) => fetchJSON(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
  body: JSON.stringify(body)}, 20000);

/* --- catalogue (local) ---------------------------------------------------------------------------------- */
async function refreshCatalogue() {
  try {
    const [st, d] = await fetchJSON(URLS.catalogue, {}, 20000);
    if (st !== 200) return;
    await idb.replace('products', d.products);
    await idb.replace('members', d.members);
    await idb.put('meta', {at: d.at, credit_limit: d.credit_limit, date: d.date}, 'catalogue');
    CAT = {products: d.products, members: d.members, credit_limit: d.credit_limit, at: d.at};
    $('till-status').dataset.catalogue = d.at;
  } catch (e) { /* offline: keep the copy we have */ }
}
async function loadLocal() {
  try {
    const meta = await idb.get('meta', 'catalogue');
    CAT.products = await idb.all('products');
    CAT.members = await idb.all('members');
    if (meta) { CAT.credit_limit = meta.credit_limit; CAT.at = meta.at; $('till-status').dataset.catalogue = meta.at; }
    queue = await idb.all('queue');
    device = await idb.get('meta', 'device');
    if (!device) {
      device = 'K' + Math.random().toString(36).slice(2, 6).toUpperCase();
      await idb.put('meta', device, 'device');
    }
  } catch (e) { device = device || 'K0'; }
}
const localRow = p => CAT.products.find(r => r.key === p.id + ':' + (p.uom_id || '')) || null;
/** stock on the device: the last snapshot minus the queued sales not yet synced (base units) */
function localStock(productId) {
  const row = CAT.products.find(r => r.id === productId && !r.uom_id);
  if (!row) return null;
  let left = Number(row.stock);
  pending().forEach(e => (e.view.lines || []).forEach(l => { if (l.product_id === productId) left -= Number(l.base); }));
  return left;
}
function localSearch(v) {
  const words = v.toLowerCase().split(/\s+/).filter(Boolean);
  return CAT.products.filter(p => words.every(w => p.name.toLowerCase().includes(w) || p.code.toLowerCase().startsWith(w)))
    .slice(0, 15).map(p => Object.assign({}, p, {stock: String(p.uom_id ? p.stock : (localStock(p.id) ?? p.stock))}));
}
function localCode(v) {
  const up = v.toUpperCase();
  return CAT.products.find(p => (p.barcode && p.barcode === v) || p.code.toUpperCase() === up) || null;
}
const digits = s => String(s || '').replace(/\D/g, '').replace(/^62/, '0');
function localMembers(v) {
  const q = v.trim();
  if (/^[\d\s+().-]+$/.test(q)) {
    const d = digits(q);
    return CAT.members.filter(m => m.number === q || m.number === q.padStart(5, '0')
      || (d.length >= 4 && digits(m.phone).startsWith(d))).slice(0, 10);
  }
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return CAT.members.filter(m => {
    const toks = m.name.toLowerCase().split(/[^\p{L}\p{N}]+/u);
    return words.every(w => toks.some(t => t.startsWith(w)));
  }).slice(0, 10);
}

/* --- cart ----------------------------------------------------------------------------------------------- */
const isMember = () => !!(member && member.active);
const priceOf = l => Number(isMember() ? l.member_price : l.public_price);
const lineCents = l => Math.round(cents(priceOf(l)) * Number(l.qty));
const totalCents = () => cart.reduce((s, l) => s + lineCents(l), 0);
function showError(msg) { const e = $('error'); e.textContent = msg || ''; e.classList.toggle('d-none', !msg); }
function render() {
  const tb = document.querySelector('#cart tbody');
  clear(tb);
  cart.forEach((l, i) => {
    tb.append(el('tr', {},
      el('td', {}, el('div', {class: 'fw-semibold', text: l.name}),
        el('div', {class: 'small text-muted', text: l.uom + ' · ' + rp(priceOf(l))})),
      el('td', {}, el('input', {class: 'form-control form-control-sm qty-input', inputmode: 'decimal', value: String(l.qty),
        'aria-label': T.qty_of + ' ' + l.name, data: {i: String(i)}})),
      el('td', {class: 'num text-end', text: rp(lineCents(l) / 100)}),
      el('td', {}, el('button', {type: 'button', class: 'btn btn-sm btn-link text-danger px-1', 'aria-label': T.remove + ' ' + l.name,
        text: '×', data: {del: String(i)}}))));
  });
  $('empty').classList.toggle('d-none', cart.length > 0);
  $('photo-box').classList.toggle('d-none', !cart.some(l => l.regulated === 'pupuk'));
  $('total').textContent = rp(totalCents() / 100);
  updateChange();
}
function tenderedValue() { return Number(parseAmount($('tendered').value) || '0'); }
function updateChange() { $('change').textContent = rp(Math.max(0, tenderedValue() - totalCents() / 100)); }
function add(p) {
  dirty();
  const local = localRow(p);
  const line = Object.assign({}, p, {het: local ? local.het : (p.het || ''), factor: p.factor || (local && local.factor) || '1'});
  const ex = cart.find(l => l.id === p.id && (l.uom_id || null) === (p.uom_id || null));
  if (ex) ex.qty = Number(ex.qty) + 1; else cart.push(Object.assign(line, {qty: 1}));
  clearTimeout(t0); clear($('results')); $('scan').value = ''; render(); $('scan').focus();
}
function showResults(list) {
  const box = $('results'); clear(box);
  list.forEach(p => {
    box.append(el('button', {type: 'button', class: 'list-group-item list-group-item-action d-flex justify-content-between gap-2', onclick: () => add(p)},
      el('span', {}, p.name + ' ', el('small', {class: 'text-muted', text: p.uom})),
      el('span', {class: 'num text-nowrap', text: rp(isMember() ? p.member_price : p.public_price) + ' · ' + T.stock + ' ' + qtyText(p.stock)})));
  });
}
async function lookup(params) { return fetchJSON(URLS.lookup + '?' + new URLSearchParams(params), {}, 5000); }
async function onScan() {
  const v = $('scan').value.trim();
  if (!v) return;
  const looksLikeCode = /^\d{8,14}$/.test(v) || /^[A-Z0-9-]{2,}$/.test(v);
  if (online) {
    try {
      if (looksLikeCode) {
        const [st, d] = await lookup({code: v});
        if (st === 200) { showError(''); add(d.results[0]); return; }
        if (d.code === 'bad_barcode') { showError(d.error); $('scan').select(); return; }
      }
      const [, d] = await lookup({q: v});
      if (d.results && d.results.length === 1) add(d.results[0]);
      else if (d.results && d.results.length) showResults(d.results);
      else showError(T.notfound + v);
      return;
    } catch (e) { /* the network dropped: the device's catalogue below */ }
  }
  if (!CAT.products.length) { showError(T.catalogue_missing); return; }
  const hit = localCode(v);
  if (hit) { showError(''); add(hit); return; }
  const list = localSearch(v);
  if (list.length === 1) add(list[0]); else if (list.length) showResults(list); else showError(T.notfound + v);
}
$('scan').addEventListener('keydown', e => { if (e.key !== 'Enter' || e.ctrlKey) return; e.preventDefault(); onScan(); });
$('scan').addEventListener('input', () => {
  clearTimeout(t0);
  const v = $('scan').value.trim();
  if (v.length < 2 || /^\d+$/.test(v)) { clear($('results')); return; }
  t0 = setTimeout(async () => {
    const still = () => $('scan').value.trim() === v;  // an answer for what is no longer typed is dropped
    if (online) {
      try { const [, d] = await lookup({q: v}); if (still()) showResults(d.results || []); return; } catch (e) { /* local */ }
    }
    if (still()) showResults(localSearch(v));
  }, 250);
});
document.querySelector('#cart').addEventListener('change', e => {
  const i = e.target.dataset.i; if (i === undefined) return;
  const q = Number(String(e.target.value).replace(',', '.')); dirty();
  if (q > 0) cart[i].qty = q; else cart.splice(Number(i), 1);
  render();
});
document.querySelector('#cart').addEventListener('click', e => {
  const i = e.target.dataset.del; if (i === undefined) return;
  dirty(); cart.splice(Number(i), 1); render();
});

/* --- member: type-ahead by name / phone (the registry's search), card / number / NIK ----------------------- */
function renderMember() {
  const box = $('member-info'); clear(box);
  if (!member) { box.textContent = T.walkin; box.classList.add('text-muted'); return; }
  box.classList.remove('text-muted');
  box.append(el('b', {text: member.name}), ' · ' + T.no + ' ' + member.number + ' ',
    el('span', {class: 'badge ' + (member.active ? 'text-bg-success' : 'text-bg-secondary'), text: member.active ? T.active : T.inactive}),
    el('br'), T.bon + ': ' + rp(member.bon) + ' ' + T.of_limit + ' ' + rp(member.credit_limit));
  if (member.fertilizer && member.fertilizer.length) {
    box.append(el('br'), T.fert_left + ': ' + member.fertilizer.map(f => f.type + ' ' + qtyText(f.remaining_kg) + ' kg').join(', '));
  }
}
function setMember(m) {
  clearTimeout(t1); dirty(); member = m; clear($('member-results')); $('member-input').setAttribute('aria-expanded', 'false');
  renderMember(); render(); $('scan').focus();
}
function localMember(m) {
  return {id: m.id, number: m.number, name: m.name, active: m.active, bon: m.bon || '0', credit_limit: CAT.credit_limit, fertilizer: [], local: true};
}
async function pickMember(id) {
  if (online) {
    try {
      const [st, d] = await fetchJSON(URLS.member + '?' + new URLSearchParams({id: String(id)}), {}, 5000);
      if (st === 200) { setMember(d); return; }
    } catch (e) { /* local */ }
  }
  const m = CAT.members.find(x => x.id === id);
  if (m) setMember(localMember(m));
}
function showMembers(list) {
  const box = $('member-results'); clear(box);
  $('member-input').setAttribute('aria-expanded', list.length ? 'true' : 'false');
  list.forEach(m => box.append(el('button', {type: 'button', role: 'option', class: 'list-group-item list-group-item-action small',
    onclick: () => pickMember(m.id)},
    el('span', {class: 'fw-semibold', text: m.name}), ' ',
    el('span', {class: 'text-muted', text: T.no + ' ' + m.number + (m.phone ? ' · ' + m.phone : '')}),
    m.active ? null : el('span', {class: 'badge text-bg-secondary ms-1', text: T.inactive}))));
}
async function searchMembers(q) {
  if (online) {
    try { const [, d] = await fetchJSON(URLS.members + '?' + new URLSearchParams({q}), {}, 5000); return d.results || []; }
    catch (e) { /* local */ }
  }
  return localMembers(q);
}
async function findMember() {
  const q = $('member-input').value.trim();
  if (!q) return;
  if (online) {
    try {
      const [st, d] = await fetchJSON(URLS.member + '?' + new URLSearchParams({q}), {}, 5000);
      if (st === 200) { setMember(d); return; }
    } catch (e) { /* local below */ }
  }
  let list = [];
  const card = q.split('|');
  if (card.length === 3 && card[0].toUpperCase() === 'KOPDES-A') {
    list = card[1] === CFG.slug ? CAT.members.filter(m => m.number === card[2].trim()) : [];
    if (!online && list.length === 1) { setMember(localMember(list[0])); return; }
  } else {
    list = await searchMembers(q);
  }
  if (list.length === 1) { pickMember(list[0].id); return; }
  if (list.length) { showMembers(list); return; }
  member = null; dirty(); renderMember();
  $('member-info').textContent = T.member_unknown; $('member-info').classList.add('text-danger');
  render();
}
$('member-input').addEventListener('input', () => {
  clearTimeout(t1);
  const v = $('member-input').value.trim();
  $('member-info').classList.remove('text-danger');
  if (v.length < 2 || v.toUpperCase().startsWith('KOPDES-A|')) { showMembers([]); return; }
  t1 = setTimeout(async () => {
    const list = await searchMembers(v);
    if ($('member-input').value.trim() === v && !(member && member.name === v)) showMembers(list);
  }, 250);
});
$('member-btn').addEventListener('click', findMember);
$('member-input').addEventListener('keydown', e => { if (e.key === 'Enter' && !e.ctrlKey) { e.preventDefault(); findMember(); } });
$('member-clear').addEventListener('click', () => { $('member-input').value = ''; showMembers([]); setMember(null); });

/* --- payment -------------------------------------------------------------------------------------------- */
$('method').addEventListener('change', () => {
  dirty(); const m = $('method').value;
  $('cash-box').classList.toggle('d-none', m !== 'cash');
  $('ref-box').classList.toggle('d-none', !(m === 'qris' || m === 'transfer'));
});
$('tendered').addEventListener('input', () => { dirty(); updateChange(); });
$('quick-cash').addEventListener('click', e => {
  const v = e.target.dataset.cash; if (!v) return;
  $('tendered').value = v === 'exact' ? String(Math.ceil(totalCents() / 100)) : v;
  dirty(); updateChange(); $('pay-btn').focus();
});
['payref', 'buyer-nik'].forEach(id => $(id).addEventListener('input', dirty));
$('photo').addEventListener('change', dirty);
document.addEventListener('keydown', e => {
  if (e.key === 'F9' || (e.key === 'Enter' && e.ctrlKey)) { e.preventDefault(); pay(); }
  else if (e.key === 'Escape') { clear($('results')); showMembers([]); }
});

/** what only the device can check offline (the server checks everything again at sync) */
function offlineRefusal(body, tc) {
  if (body.method === 'sukarela') return T.offline_no_withdrawal;
  if (body.method === 'cash' && body.tendered && cents(body.tendered) < tc) return T.underpaid;
  if ((body.method === 'qris' || body.method === 'transfer') && !body.payment_ref.trim()) return T.ref_required;
  if (body.method === 'bon') {
    if (!isMember()) return T.member_required;
    if (cents(member.bon) + tc > cents(member.credit_limit)) return T.credit_limit;
  }
  const need = {};
  cart.forEach(l => { need[l.id] = (need[l.id] || 0) + Number(l.qty) * Number(l.factor || 1); });
  for (const l of cart) {
    const left = localStock(l.id);
    if (left !== null && need[l.id] > left + 1e-9) return T.stock_short + l.name + ' (' + qtyText(Math.max(0, left)) + ')';
    if (l.het && priceOf(l) / Number(l.factor || 1) > Number(l.het) + 1e-9) return T.het_over + l.name;
  }
  return '';
}
function cartBody(photo) {
  return {photo, client_id: clientId, shift_id: shiftId, member_id: member ? member.id : null, method: $('method').value,
    tendered: parseAmount($('tendered').value) || null, payment_ref: $('payref').value, buyer_nik: $('buyer-nik').value,
    lines: cart.map(l => ({product_id: l.id, uom_id: l.uom_id, qty: String(l.qty)}))};
}
const pad = n => String(n).padStart(2, '0');
const localDate = d => d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
async function enqueue(body, offlineRung) {
  const tc = totalCents();
  const seq = ((await idb.get('meta', 'seq')) || 0) + 1;
  await idb.put('meta', seq, 'seq');
  const now = new Date();
  if (offlineRung) {
    // the price the customer was charged (the device's list): the server re-checks it against the HET in force
    body.lines = body.lines.map((ln, i) => Object.assign({}, ln, {price: String(priceOf(cart[i]))}));
  }
  const tendered = body.method === 'cash' ? (body.tendered ? Number(body.tendered) : tc / 100) : tc / 100;
  const entry = {
    client_id: body.client_id, device, provisional: 'OFF-' + device + '-' + String(seq).padStart(4, '0'),
    at: now.toISOString(), date: localDate(now), total: (tc / 100).toFixed(2), body, status: 'pending',
    view: {member: member ? member.name : '', method: body.method, tendered: String(tendered), change: String(Math.max(0, tendered - tc / 100)),
      lines: cart.map(l => ({product_id: l.id, name: l.name, uom: l.uom, qty: String(l.qty), base: String(Number(l.qty) * Number(l.factor || 1)),
        amount: String(lineCents(l) / 100)}))},
  };
  await idb.put('queue', entry);
  queue.push(entry);
  showReceipt(entry);
  cart = []; member = null; dirty(); $('member-input').value = ''; $('tendered').value = ''; $('payref').value = '';
  $('buyer-nik').value = ''; renderMember(); render(); updateStatus();
}
async function pay() {
  if (busy) return;
  if (!cart.length) { showError(T.empty); return; }
  busy = true; $('pay-btn').disabled = true; showError('');
  try {
    if (!clientId) clientId = device + '-' + uuid();
    let photo = null;
    const f = $('photo').files && $('photo').files[0];
    if (f && cart.some(l => l.regulated === 'pupuk')) {
      photo = await new Promise(res => { const rd = new FileReader(); rd.onload = () => res(rd.result); rd.onerror = () => res(null); rd.readAsDataURL(f); });
    }
    const body = cartBody(photo);
    if (online && navigator.onLine) {
      try {
        const [st, d] = await post(URLS.pay, body);
        if (st === 200) { window.location.href = d.receipt_url; return; }
        showError(d.error || T.failed);
        return;
      } catch (e) {
        // no answer: the server may have recorded it; queued with the same key, the sync replays it once
        await enqueue(body, false);
        showError(T.dropped);
        return;
      }
    }
    const why = offlineRefusal(body, totalCents());
    if (why) { showError(why); return; }
    await enqueue(body, true);
  } finally { busy = false; $('pay-btn').disabled = false; }
}
$('pay-btn').addEventListener('click', pay);

/* --- provisional receipt -------------------------------------------------------------------------------- */
let shown = null;
function showReceipt(e) {
  shown = e.client_id;
  $('or-title').textContent = e.status === 'synced' ? '' : T.provisional;
  $('or-koperasi').textContent = CFG.koperasi;
  $('or-number').textContent = e.number || e.provisional;
  $('or-time').textContent = new Date(e.at).toLocaleString('id-ID');
  const tb = $('or-lines'); clear(tb);
  e.view.lines.forEach(l => tb.append(el('tr', {}, el('td', {}, el('div', {text: l.name}),
    el('div', {class: 'text-muted', text: qtyText(l.qty) + ' ' + l.uom})), el('td', {class: 'num text-end', text: rp(l.amount)}))));
  $('or-total').textContent = rp(e.total);
  $('or-tendered').textContent = rp(e.view.tendered);
  $('or-change').textContent = rp(e.view.change);
  const st = $('or-status');
  st.textContent = e.status === 'synced' ? T.synced : (e.status === 'pending' ? T.pending : T.held);
  st.className = 'badge ' + (e.status === 'synced' ? 'text-bg-success' : (e.status === 'pending' ? 'text-bg-warning' : 'text-bg-danger'));
  $('or-note').textContent = e.status === 'pending' ? T.final_after_sync : (e.reason || '');
  $('offline-receipt').classList.remove('d-none');
}
$('or-print').addEventListener('click', () => window.print());
$('or-new').addEventListener('click', () => { $('offline-receipt').classList.add('d-none'); shown = null; $('scan').focus(); });

/* --- status banner and the device's queue ---------------------------------------------------------------- */
async function updateStatus() {
  const box = $('till-status');
  const off = !online || !navigator.onLine;
  box.classList.toggle('alert-warning', off);
  box.classList.toggle('alert-secondary', !off);
  const ns = $('net-state'); clear(ns);
  ns.append(el('i', {class: 'bi ' + (off ? 'bi-wifi-off' : 'bi-wifi')}), ' ' + (off ? T.offline : T.online));
  box.dataset.online = off ? '0' : '1';
  $('queue-count').textContent = String(pending().length);
  box.dataset.queue = String(pending().length);
  let last = null;
  try { last = await idb.get('meta', 'last_sync'); } catch (e) { last = null; }
  $('last-sync').textContent = last ? new Date(last).toLocaleString('id-ID', {hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit'}) : T.never;
  const list = $('queue-list'); clear(list);
  queue.slice().sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 30).forEach(e => {
    const label = e.status === 'synced' ? T.synced : (e.status === 'pending' ? T.pending : (e.status === 'held' ? T.held : T.rejected));
    const cls = e.status === 'synced' ? 'text-bg-success' : (e.status === 'pending' ? 'text-bg-warning' : 'text-bg-danger');
    const item = el('li', {class: 'mb-1 queue-item', data: {status: e.status, client: e.client_id}},
      el('button', {type: 'button', class: 'btn btn-link btn-sm p-0 num align-baseline', text: e.provisional,
        title: T.print, onclick: () => showReceipt(e)}), e.number ? ' → ' : '',
      e.receipt_url ? el('a', {href: e.receipt_url, text: e.number}) : (e.number || ''), ' · ' + rp(e.total) + ' ',
      el('span', {class: 'badge ' + cls, text: label}));
    if (e.reason && e.status !== 'synced') item.append(el('div', {class: 'text-muted', text: e.reason}));
    list.append(item);
  });
  if (shown) { const e = queue.find(x => x.client_id === shown); if (e) showReceipt(e); }
  // a shift is closed only with nothing waiting: a sale synced after the close would be held (shift_closed)
  const close = $('close-shift'), waiting = pending().length;
  if (close) {
    close.disabled = waiting > 0;
    $('close-warning').textContent = waiting > 0 ? T.sync_before_close.replace('%(n)s', String(waiting)) : '';
    $('close-warning').classList.toggle('d-none', waiting === 0);
  }
}

/* --- sync: on reconnect, on demand, every 30 s while something waits ----------------------------------- */
let syncing = false;
async function sync() {
  if (syncing) return;
  syncing = true;
  $('sync-btn').disabled = true;
  try {
    const todo = pending().sort((a, b) => (a.at < b.at ? -1 : 1));
    let ok = true;
    for (let i = 0; i < todo.length && ok; i += 20) {
      const batch = todo.slice(i, i + 20);
      const [st, d] = await post(URLS.sync, {sales: batch.map(e => ({client_id: e.client_id, device: e.device, provisional: e.provisional,
        at: e.at, date: e.date, total: e.total, body: e.body}))});
      if (st !== 200) { ok = false; showError(d.error || T.failed); break; }
      for (const res of d.results) {
        const e = batch.find(x => x.client_id === res.client_id);
        if (!e) continue;
        e.status = res.status === 'ok' ? 'synced' : res.status;
        e.number = res.number || ''; e.receipt_url = res.receipt_url || ''; e.reason = res.reason || '';
        delete e.body.photo;
        await idb.put('queue', e);
      }
    }
    if (ok) await refreshCatalogue();
    if (ok && online) await idb.put('meta', new Date().toISOString(), 'last_sync');
  } catch (e) { /* still offline */ } finally {
    syncing = false; $('sync-btn').disabled = false;
    await updateStatus();
    $('till-status').dataset.synced = String(Date.now());
  }
}
$('sync-btn').addEventListener('click', () => { online = true; sync(); });
window.addEventListener('online', () => { online = true; updateStatus(); sync(); });
window.addEventListener('offline', () => { online = false; updateStatus(); });
setInterval(() => { if (navigator.onLine && (pending().length || !online)) { online = true; sync(); } }, 30000);

/* --- camera ---------------------------------------------------------------------------------------------- */
if ('BarcodeDetector' in window && navigator.mediaDevices) {
  const btn = $('cam-btn'); btn.classList.remove('d-none'); let stream = null;
  btn.addEventListener('click', async () => {
    const v = $('camera');
    if (stream) { stream.getTracks().forEach(t => t.stop()); stream = null; v.classList.add('d-none'); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}});
      v.srcObject = stream; v.classList.remove('d-none'); await v.play();
      const det = new BarcodeDetector({formats: ['ean_13', 'ean_8', 'qr_code', 'code_128']});
      const tick = async () => {
        if (!stream) return;
        try {
          const codes = await det.detect(v);
          if (codes.length) {
            const c = codes[0].rawValue;
            if (c.startsWith('KOPDES-A|')) { $('member-input').value = c; findMember(); } else { $('scan').value = c; onScan(); }
            stream.getTracks().forEach(t => t.stop()); stream = null; v.classList.add('d-none'); return;
          }
        } catch (e) { /* next frame */ }
        requestAnimationFrame(tick);
      };
      tick();
    } catch (e) { showError(T.camera); }
  });
}

/* --- start ----------------------------------------------------------------------------------------------- */
render();
(async () => {
  await loadLocal();
  await updateStatus();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(URLS.sw, {scope: URLS.scope}).catch(() => {});
    navigator.serviceWorker.ready.then(async () => {
      // refresh the kept copy of this page (the one just shown may carry a one-off message such as "Shift dibuka")
      if (navigator.onLine) { try { await fetch(URLS.scope, {credentials: 'same-origin'}); } catch (e) { /* offline */ } }
      $('till-status').dataset.sw = 'ready';
    });
  }
  if (navigator.onLine) await sync();
  $('till-status').dataset.ready = '1';
})();
})();
