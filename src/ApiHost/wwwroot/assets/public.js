import { call, el, rowsTable, showError, day } from './api.js';
import { reason, status, message } from './zh.js';

const $ = id => document.getElementById(id);
const segments = ['证照类型代码', '颁发机构代码', '流水号', '版本号', '校验位'];
const segmentKeys = { type: 0, issuer: 1, serial: 2, version: 3, check: 4 };
const root = '1.2.156.3005.2.';

/** The identifier split into its segments, with the one the API named marked. */
function breakdown(id, wrong) {
  if (!id.startsWith(root)) return null;
  const parts = id.slice(root.length).split('.');
  return rowsTable('证照标识的组成', [['根', root.slice(0, -1)],
    ...parts.map((p, i) => [segments[i] ?? `第 ${i + 1} 段`, el('span', { class: i === wrong ? 'error' : 'mono' }, p + (i === wrong ? '  ← 此段有误' : ''))])]);
}

async function lookup(event) {
  event?.preventDefault();
  const id = $('identifier').value.trim();
  const target = $('answer');
  history.replaceState(null, '', `/public?id=${encodeURIComponent(id)}`);
  target.replaceChildren(el('p', {}, '正在查询…'));
  try {
    const l = await call(`/api/public/licenses/${encodeURIComponent(id)}`);
    const names = l.fieldNames ?? {};
    target.replaceChildren(
      el('p', { class: `verdict ${l.status === 'valid' && l.current ? 'ok' : 'bad'}` }, `${l.typeName}：${status(l.status)}`),
      ...(l.current ? [] : [el('p', { class: 'error' }, reason('superseded'))]),
      rowsTable('公示信息', [
        ['证照标识', el('span', { class: 'mono' }, l.id)], ['状态', `${status(l.status)}（${l.statusCode}）`],
        ['有效期', `${l.validFrom} 至 ${day(l.validUntil)}`], ['颁发机构代码', l.issuerCode],
        ...(l.holderName ? [['持证主体', l.holderName]] : []),
        ...Object.entries(l.fields).map(([k, v]) => [names[k] ?? k, v])]));
  } catch (e) {
    if (e.status === 400 && e.problem?.errors) {
      const texts = Object.values(e.problem.errors).flat();
      const seg = texts.map(t => /^segment '(\w+)'/.exec(t)?.[1] ?? (/^check character/.test(t) ? 'check' : null)).find(Boolean);
      const wrong = seg ? segmentKeys[seg] : undefined;
      target.replaceChildren(el('p', { class: 'error', role: 'alert', id: 'identifier-error' }, '证照标识格式有误：', texts.map(t => message('id', t)).join('；')),
        ...(breakdown(id, wrong) ? [breakdown(id, wrong)] : []),
        el('p', { class: 'hint' }, '校验位按 ISO/IEC 7064 MOD 37,36 对“类型代码+颁发机构代码+流水号+版本号”（去掉点）计算，字符集 0-9A-Z。请核对是否抄错。'));
    } else if (e.status === 404) {
      target.replaceChildren(el('p', { class: 'error', role: 'alert' }, '未找到可公示的证照：标识不存在，或该类证照不公示。'));
    } else {
      showError(target, e);
    }
  }
}

async function checkDocument(event) {
  event.preventDefault();
  const target = $('document-answer');
  let doc;
  try { doc = JSON.parse($('document').value); } catch { target.replaceChildren(el('p', { class: 'error', role: 'alert' }, '不是有效的 JSON 文件内容。')); return; }
  try {
    const r = await call('/api/verifications/document', { method: 'POST', json: {
      identifier: doc.identifier, canonical: doc.canonical, signature: doc.signature?.value ?? doc.signature,
      certificate: doc.signature?.certificate ?? doc.certificate ?? doc.unitCertificate } });
    target.replaceChildren(el('p', { class: `verdict ${r.valid ? 'ok' : 'bad'}` }, r.valid ? '✔ 文件真实且证照当前有效' : '✘ 验证未通过'),
      ...(r.reasons?.length ? [el('ul', {}, r.reasons.map(x => el('li', {}, reason(x))))] : []),
      rowsTable('验证结果', [['证照标识', r.identifier ?? '—'], ['状态', status(r.status ?? '')]]));
  } catch (e) {
    showError(target, e);
  }
}

$('lookup-form').addEventListener('submit', lookup);
$('document-form').addEventListener('submit', checkDocument);
const preset = new URLSearchParams(location.search).get('id');
if (preset) { $('identifier').value = preset; lookup(); }
