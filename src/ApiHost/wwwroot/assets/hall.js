import { call, Session, claims, licenseType, elementNames, el, rowsTable, listTable, showError, day, time } from './api.js';
import { reason, status, comparison, basis } from './zh.js';

const session = new Session('ol.hall');
const $ = id => document.getElementById(id);
let scope = null;

async function signIn(event) {
  event.preventDefault();
  $('login-error').replaceChildren();
  try {
    const answer = await call('/api/auth/token', { method: 'POST', form: { grant_type: 'client_credentials', client_id: $('client-id').value.trim(), client_secret: $('client-secret').value } });
    const c = claims(answer.access_token);
    if (c.role !== 'verifier') { showError($('login-error'), { lines: ['该客户端不是查验（大厅）客户端，请使用大厅系统的客户端登录'] }); return; }
    session.set(answer.access_token, answer.expires_in, { clientId: c.client_id });
    $('client-secret').value = '';
    await start();
  } catch (e) {
    showError($('login-error'), e.status === 401 ? { lines: ['客户端标识或密钥不正确'] } : e);
  }
}

async function start() {
  const s = session.get();
  $('login-section').hidden = !!s;
  $('work').hidden = !s;
  if (!s) return;
  try {
    scope = await call('/api/verifications/matters', { token: s.token });
  } catch (e) {
    if (e.status === 401) { session.clear(); return start(); }
    scope = { unitCode: '', unitName: '', matters: [] };
  }
  $('who').textContent = `${scope.unitName || '大厅'}（${s.clientId}）`;
  $('matter').replaceChildren(...scope.matters.map(m => el('option', { value: m.matterCode }, `${m.matterName}（${m.matterCode}）`)));
  await matterChanged();
}

let autoPurpose = '';
async function matterChanged() {
  const matter = scope.matters.find(m => m.matterCode === $('matter').value);
  const suggested = matter ? `办理${matter.matterName}` : '';
  if (!$('purpose').value || $('purpose').value === autoPurpose) $('purpose').value = suggested;
  autoPurpose = suggested;
  const fields = $('compare-fields');
  fields.replaceChildren();
  for (const t of matter?.licenseTypes ?? []) {
    const type = await licenseType(t.typeCode, session.get()?.token);
    for (const f of type?.definition?.fields ?? []) {
      const id = `cmp-${t.typeCode}-${f.key}`;
      fields.append(el('div', {}, el('label', { for: id }, `${f.name}`, el('span', { class: 'hint' }, ` · ${t.name}`)),
        el('input', { id, 'data-key': f.key, 'data-type': t.typeCode, autocomplete: 'off' })));
    }
  }
}

function context() {
  const operator = $('operator').value.trim();
  return {
    matterCode: $('matter').value, purpose: $('purpose').value.trim(),
    caseNumber: $('case-number').value.trim() || undefined, operator: operator ? { name: operator } : undefined,
  };
}

function compareValues() {
  const values = {};
  for (const input of $('compare-fields').querySelectorAll('input')) {
    if (input.value.trim()) values[input.dataset.key] = input.value.trim();
  }
  return Object.keys(values).length ? values : undefined;
}

async function verify(request) {
  const s = session.get();
  if (!s) return start();
  $('result-section').hidden = false;
  $('result').replaceChildren(el('p', {}, '正在查验…'));
  try {
    const answer = await call('/api/verifications', { method: 'POST', token: s.token, json: { ...context(), ...request, compare: compareValues() } });
    await showResult(answer, s.token);
  } catch (e) {
    showError($('result'), e);
  }
  $('result-section').scrollIntoView({ block: 'start' });
}

async function showResult(answer, token) {
  const license = answer.license;
  const type = await licenseType(license.typeCode, token);
  const names = elementNames(type);
  const parts = [
    el('p', { class: `verdict ${answer.valid ? 'ok' : 'bad'}`, id: 'verdict' }, answer.valid ? '✔ 有效' : '✘ 无效'),
  ];
  if (!answer.valid) {
    parts.push(el('ul', { id: 'reasons' }, answer.reasons.map(r => el('li', {}, reason(r)))));
  }
  parts.push(rowsTable('证照信息', [
    ['证照名称', type?.definition?.name ?? license.typeName],
    ['证照标识', el('span', { class: 'mono' }, license.id)],
    ['状态', `${status(answer.status)}（${answer.statusCode}）`],
    ['有效期', `${license.validFrom} 至 ${day(license.validUntil)}`],
    ...(license.holderName ? [['持证主体', `${license.holderName} ${license.holderIdNumber ?? ''}`]] : []),
  ]));
  const face = Object.entries(license.fields ?? {});
  if (face.length) {
    parts.push(el('h3', {}, '照面信息（最小必要）'), el('div', { id: 'face' }, rowsTable('照面信息', face.map(([k, v]) => [names[k] ?? k, v]))));
  }
  if (answer.comparison) {
    parts.push(el('h3', {}, '比对结果'), el('div', { id: 'comparison' }, listTable('比对结果', ['照面要素', '结果'],
      Object.entries(answer.comparison).map(([k, v]) => [names[k] ?? k, el('span', { class: `badge ${v === 'match' ? 'ok' : 'bad'}` }, comparison[v] ?? v)]))));
  }
  parts.push(el('p', {}, '存档编号：', el('span', { class: 'mono', id: 'verification-id' }, answer.verificationId)),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', id: 'copy-html', onclick: () => openCopy(answer.verificationId, 'text/html') }, '加注件（网页打印）'),
      el('button', { type: 'button', id: 'copy-pdf', onclick: () => openCopy(answer.verificationId, 'application/pdf') }, '加注件（PDF）')),
    el('p', { id: 'copy-status', class: 'hint', 'aria-live': 'polite' }));
  $('result').replaceChildren(...parts);
}

async function openCopy(id, accept) {
  const s = session.get();
  if (!s) return start();
  try {
    const blob = await call(`/api/verifications/${encodeURIComponent(id)}/copy`, { token: s.token, accept });
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: accept === 'application/pdf' ? `加注件-${id}.pdf` : undefined, target: '_blank', rel: 'noopener', id: 'copy-link' },
      accept === 'application/pdf' ? '下载 PDF 加注件' : '打开网页加注件');
    $('copy-status').replaceChildren('加注件已生成：', link);
    link.click();
  } catch (e) {
    showError($('copy-status'), e);
  }
}

async function lookup() {
  const s = session.get();
  if (!s) return start();
  const holder = { idType: $('holder-type').value, idNumber: $('holder-number').value.trim() };
  const target = $('lookup-result');
  target.replaceChildren(el('p', {}, '正在查找…'));
  try {
    const answer = await call('/api/verifications/holder-licenses', { method: 'POST', token: s.token, json: { ...context(), holder } });
    const rows = [];
    for (const l of answer.licenses) {
      const type = await licenseType(l.typeCode, s.token);
      rows.push([type?.definition?.name ?? l.typeCode, el('span', { class: 'mono' }, l.id), status(l.status), `${l.validFrom ?? ''} 至 ${day(l.validUntil)}`,
        el('button', { type: 'button', onclick: () => verify({ licenseId: l.id, holder }) }, '查验此证')]);
    }
    target.replaceChildren(listTable('持证主体的相关证照', ['证照', '证照标识', '状态', '有效期', ''], rows));
  } catch (e) {
    showError(target, e);
  }
}

async function scan() {
  const video = $('camera');
  try {
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    $('scan-status').textContent = '请将亮证二维码对准摄像头…';
    const stop = () => { stream.getTracks().forEach(t => t.stop()); video.hidden = true; };
    const started = Date.now();
    const tick = async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        stop();
        $('token').value = codes[0].rawValue;
        $('scan-status').textContent = '已识别亮证码。';
        $('verify-form').requestSubmit();
      } else if (Date.now() - started > 60000) {
        stop();
        $('scan-status').textContent = '未识别到二维码，请重试或直接输入亮证码。';
      } else {
        requestAnimationFrame(tick);
      }
    };
    tick();
  } catch {
    $('scan-status').textContent = '无法使用摄像头，请用扫码枪或直接粘贴亮证码。';
  }
}

$('login-form').addEventListener('submit', signIn);
$('logout').addEventListener('click', () => { session.clear(); start(); });
$('matter').addEventListener('change', matterChanged);
$('verify-form').addEventListener('submit', event => {
  event.preventDefault();
  verify({ presentationToken: $('token').value.trim() || undefined });
});
$('lookup').addEventListener('click', lookup);
if ('BarcodeDetector' in window && navigator.mediaDevices?.getUserMedia) {
  $('scan').hidden = false;
  $('scan').addEventListener('click', scan);
}
start();
