import { call, Session, licenseType, elementNames, el, rowsTable, listTable, showError, day, time } from './api.js';
import { reason, status, basis } from './zh.js';

const session = new Session('ol.me');
const $ = id => document.getElementById(id);
const actions = {
  issue: '签发', change: '变更', suspend: '暂扣', reinstate: '恢复', revoke: '吊销', cancel: '注销', withdraw: '撤销', abolish: '废止',
  'annual-inspection': '年检', extend: '延期', mortgage: '抵押', 'release-mortgage': '解除抵押', pledge: '质押', 'release-pledge': '解除质押',
  'transfer-out': '转出', correction: '核查更正',
};
const stages = { issuer: '签发单位处理中', operator: '运营方处理中', closing: '待签发单位关闭', done: '已办结' };
let licenses = [];
let presenting = null;

async function signIn(event) {
  event.preventDefault();
  $('login-error').replaceChildren();
  const body = { idType: $('id-type').value, idNumber: $('id-number').value.trim(), name: $('holder-name').value.trim() };
  try {
    const answer = await call('/api/dev/holder-tokens', { method: 'POST', json: body });
    session.set(answer.access_token, answer.expires_in, { name: body.name });
    await start();
  } catch (e) {
    showError($('login-error'), e.status === 404 ? { lines: ['此环境不提供开发登录，请通过省统一身份认证平台登录'] } : e);
  }
}

async function start() {
  const s = session.get();
  $('login-section').hidden = !!s;
  $('work').hidden = !s;
  if (!s) return;
  $('who').textContent = s.name;
  await Promise.all([loadLicenses(), loadUsage(), loadAuthorizations(), loadCorrections()]);
}

function guard(e) {
  if (e.status === 401) { session.clear(); start(); return true; }
  return false;
}

async function loadLicenses() {
  const s = session.get();
  try {
    licenses = await call('/api/me/licenses', { token: s.token });
  } catch (e) {
    if (!guard(e)) showError($('licenses'), e);
    return;
  }
  const items = [];
  for (const l of licenses) {
    const type = await licenseType(l.typeCode, s.token);
    l.typeName = type?.definition?.name ?? l.typeCode;
    items.push(el('li', {},
      el('p', {}, el('strong', {}, l.typeName), ' ', el('span', { class: `badge ${l.status === 'valid' ? 'ok' : 'bad'}` }, status(l.status))),
      el('p', { class: 'mono' }, l.currentId),
      el('p', {}, `有效期：${l.validFrom ?? ''} 至 ${day(l.validUntil)}`),
      el('div', { class: 'actions' },
        el('button', { type: 'button', onclick: () => openPresent(l), 'aria-label': `亮证：${l.typeName}` }, '亮证'),
        el('button', { type: 'button', class: 'secondary', onclick: () => showDetail(l), 'aria-label': `查看详情：${l.typeName}` }, '查看详情'))));
  }
  $('licenses').replaceChildren(items.length ? el('ul', { class: 'cards' }, items) : el('p', {}, '暂无证照。'));
  $('grant-license').replaceChildren(...licenses.map(l => el('option', { value: l.currentId }, `${l.typeName}（${l.currentId}）`)));
}

async function showDetail(l) {
  const s = session.get();
  $('detail-section').hidden = false;
  try {
    const [view, history, type] = await Promise.all([
      call(`/api/me/licenses/${encodeURIComponent(l.currentId)}`, { token: s.token }),
      call(`/api/licenses/${encodeURIComponent(l.currentId)}/history`, { token: s.token }),
      licenseType(l.typeCode, s.token)]);
    const names = elementNames(type);
    const order = (type?.definition?.fields ?? []).map(f => f.key);
    const face = Object.entries(view.fields).sort(([a], [b]) => (order.indexOf(a) + 1 || 999) - (order.indexOf(b) + 1 || 999));
    $('detail').replaceChildren(
      el('h3', {}, type?.definition?.name ?? view.typeCode),
      rowsTable('证照信息', [
        ['证照标识', el('span', { class: 'mono' }, view.id)], ['版本', view.version], ['状态', `${status(view.status)}（${view.statusCode}）`],
        ['持证主体', `${view.holder.name} ${view.holder.idNumber}`], ['有效期', `${view.validFrom} 至 ${day(view.validUntil)}`],
        ...(view.reasons?.length ? [['说明', view.reasons.map(reason).join('；')]] : []),
        ...face.map(([k, v]) => [names[k] ?? k, v])]),
      el('h3', {}, '变更与状态历史'),
      listTable('历史', ['时间', '事件', '版本', '状态', '原因'],
        history.map(h => [time(h.at), actions[h.action] ?? h.action, h.version, status(h.status), h.reason ?? ''])));
  } catch (e) {
    if (!guard(e)) showError($('detail'), e);
  }
}

function openPresent(l) {
  stopPresenting();
  presenting = { license: l, renewals: 0 };
  $('present-section').hidden = false;
  $('present-license').textContent = `${l.typeName}（${l.currentId}）`;
  $('present-section').scrollIntoView({ block: 'start' });
  $('present-purpose').focus();
}

async function present() {
  const s = session.get();
  if (!s || !presenting) return;
  $('present-error').replaceChildren();
  try {
    const answer = await call(`/api/me/licenses/${encodeURIComponent(presenting.license.currentId)}/presentations`, {
      method: 'POST', token: s.token,
      json: { purpose: $('present-purpose').value.trim(), ttlSeconds: Number($('present-ttl').value), maxUses: Number($('present-uses').value) },
    });
    $('qr').hidden = false;
    $('present-stop').hidden = false;
    $('qr-image').src = `data:image/png;base64,${answer.qrPng}`;
    $('qr-token').value = answer.token;
    $('present-status').textContent = presenting.renewals ? '亮证码已过期，已自动生成新码。' : '请向窗口出示二维码。';
    countdown(new Date(answer.expiresAt).getTime());
  } catch (e) {
    if (!guard(e)) showError($('present-error'), e);
  }
}

function countdown(expiresAt) {
  clearInterval(presenting.timer);
  const tick = () => {
    const left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    $('countdown').textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    if (left === 0) {
      clearInterval(presenting.timer);
      // A new code when the old one expires, while the holder keeps the page open (at most 10 times, then they ask again).
      if (presenting.renewals < 10) { presenting.renewals++; present(); }
      else { $('present-status').textContent = '亮证码已过期，请重新生成。'; $('qr').hidden = true; }
    }
  };
  tick();
  presenting.timer = setInterval(tick, 1000);
}

function stopPresenting() {
  if (presenting) clearInterval(presenting.timer);
  presenting = null;
  $('qr').hidden = true;
  $('present-stop').hidden = true;
}

async function loadUsage() {
  const s = session.get();
  try {
    const page = await call('/api/me/usage?pageSize=50', { token: s.token });
    // Cards, not a wide table: readable on a phone as on a desk.
    $('usage').replaceChildren(page.items.length
      ? el('ul', { class: 'cards' }, page.items.map(u => el('li', {},
        el('p', {}, el('strong', {}, u.unitName ? `${u.unitName}（${u.unitCode}）` : u.unitCode), ' ',
          el('span', { class: `badge ${u.valid ? 'ok' : 'bad'}` }, u.valid ? '查验有效' : u.status === 'valid' ? '查验未通过' : `无效（${status(u.status)}）`)),
        rowsTable('一次用证', [['时间', time(u.usedAt)], ['事项', u.matterCode], ['用证事由', u.purpose], ['办件编号', u.caseNumber ?? '—'],
          ['经办人', u.operator ?? '—'], ['方式', basis[u.basis] ?? u.basis], ['证照标识', el('span', { class: 'mono' }, u.licenseIdentifier)]]))))
      : el('p', {}, '暂无用证记录。'));
  } catch (e) {
    if (!guard(e)) showError($('usage'), e);
  }
}

async function loadAuthorizations() {
  const s = session.get();
  try {
    const list = await call('/api/me/authorizations', { token: s.token });
    const states = { active: '有效', withdrawn: '已撤回', expired: '已过期', exhausted: '次数已用完' };
    $('authorizations').replaceChildren(list.length
      ? listTable('我的授权', ['证照', '被授权单位', '事项', '事由', '截止', '已用/上限', '状态', ''], list.map(a => [
        el('span', { class: 'mono' }, a.licenseNumber), a.granteeUnitCode ?? '—', a.matterCode ?? '—', a.purpose, time(a.expiresAt),
        `${a.uses}/${a.maxUses ?? '不限'}`, states[a.state] ?? a.state,
        a.state === 'active' ? el('button', { type: 'button', class: 'danger', onclick: () => withdraw(a.id) }, '撤回') : '']))
      : el('p', {}, '暂无授权。'));
  } catch (e) {
    if (!guard(e)) showError($('authorizations'), e);
  }
}

async function grant(event) {
  event.preventDefault();
  const s = session.get();
  $('grant-error').replaceChildren();
  const until = $('grant-until').value;
  try {
    await call('/api/me/authorizations', { method: 'POST', token: s.token, json: {
      licenseId: $('grant-license').value, granteeUnitCode: $('grant-unit').value.trim() || undefined, matterCode: $('grant-matter').value.trim() || undefined,
      purpose: $('grant-purpose').value.trim(), expiresAt: until ? new Date(`${until}T23:59:59+08:00`).toISOString() : undefined,
      maxUses: $('grant-uses').value ? Number($('grant-uses').value) : undefined,
    } });
    await loadAuthorizations();
  } catch (e) {
    if (!guard(e)) showError($('grant-error'), e);
  }
}

async function withdraw(id) {
  const s = session.get();
  try {
    await call(`/api/me/authorizations/${encodeURIComponent(id)}`, { method: 'DELETE', token: s.token });
  } catch (e) {
    if (guard(e)) return;
  }
  await loadAuthorizations();
}

async function loadCorrections() {
  const s = session.get();
  try {
    const [corrections, notes] = await Promise.all([
      call('/api/corrections?view=mine&pageSize=50', { token: s.token }), call('/api/me/notifications?pageSize=50', { token: s.token })]);
    $('corrections').replaceChildren(corrections.items.length
      ? listTable('核查申请', ['提交时间', '证照', '阶段', '办理期限', '结果'], corrections.items.map(c => [time(c.createdAt),
        el('span', { class: 'mono' }, c.licenseId), stages[c.stage] ?? c.stage, c.dueAt ? time(c.dueAt) + (c.overdue ? '（已超期）' : '') : '—',
        c.outcome === 'corrected' ? '已更正' : c.outcome === 'confirmed' ? '经核实无误' : '—']))
      : el('p', {}, '暂无核查申请。'));
    $('notifications').replaceChildren(notes.items.length
      ? listTable('通知', ['时间', '内容', ''], notes.items.map(n => [time(n.createdAt), n.message, n.read ? '已读' : '未读']))
      : el('p', {}, '暂无通知。'));
  } catch (e) {
    if (!guard(e)) showError($('corrections'), e);
  }
}

const tomorrowPlus30 = new Date(Date.now() + 30 * 86400000);
$('grant-until').value = tomorrowPlus30.toISOString().slice(0, 10);
$('login-form').addEventListener('submit', signIn);
$('logout').addEventListener('click', () => { stopPresenting(); session.clear(); start(); });
$('present').addEventListener('click', () => { if (presenting) { presenting.renewals = 0; present(); } });
$('present-stop').addEventListener('click', () => { const l = presenting?.license; stopPresenting(); if (l) openPresent(l); });
$('usage-refresh').addEventListener('click', loadUsage);
$('grant-form').addEventListener('submit', grant);
start();
