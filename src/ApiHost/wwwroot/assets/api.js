// Same-origin calls to the platform's HTTP API with the signed-in user's bearer token.
import { problemLines } from './zh.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problemLines(problem, status).join('；'));
    this.status = status;
    this.problem = problem;
    this.lines = problemLines(problem, status);
  }
}

export async function call(path, { method = 'GET', token, json, form, accept } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (accept) headers.Accept = accept;
  let body;
  if (json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (form !== undefined) { body = new URLSearchParams(form); }
  const response = await fetch(path, { method, headers, body, credentials: 'omit' });
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  if (!response.ok) {
    const problem = type.includes('json') ? await response.json().catch(() => null) : null;
    throw new ApiError(response.status, problem);
  }
  if (type.includes('json')) return response.json();
  return response.blob();
}

/** A session kept in this tab only (sessionStorage): the token and what the page shows about who is signed in. */
export class Session {
  constructor(key) { this.key = key; }
  get() {
    const raw = sessionStorage.getItem(this.key);
    if (!raw) return null;
    const s = JSON.parse(raw);
    if (Date.now() > s.expiresAt) { this.clear(); return null; }
    return s;
  }
  set(token, expiresIn, info) {
    const s = { token, expiresAt: Date.now() + (expiresIn - 10) * 1000, ...info };
    sessionStorage.setItem(this.key, JSON.stringify(s));
    return s;
  }
  clear() { sessionStorage.removeItem(this.key); }
}

/** The claims of a JWT (for display only; the API checks the token). */
export function claims(token) {
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part.padEnd(part.length + (4 - part.length % 4) % 4, '=')), c => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The catalogue's licence types, fetched once per page: names of the type and of its face elements. */
const types = new Map();
export async function licenseType(typeCode, token) {
  if (!types.has(typeCode)) {
    types.set(typeCode, call(`/api/catalog/types/${encodeURIComponent(typeCode)}`, { token }).catch(() => null));
  }
  return types.get(typeCode);
}

export function elementNames(type) {
  const names = {};
  for (const f of type?.definition?.fields ?? []) names[f.key] = f.name;
  return names;
}

// Small DOM helpers: text only (never innerHTML with data), so nothing from the API is interpreted as markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return node;
}

export function rowsTable(caption, rows) {
  return el('div', { class: 'table-wrap' }, el('table', {},
    el('caption', { class: 'sr-only' }, caption),
    el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v))))));
}

export function listTable(caption, head, rows) {
  return el('div', { class: 'table-wrap' }, el('table', {},
    el('caption', { class: 'sr-only' }, caption),
    el('thead', {}, el('tr', {}, head.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map(r => el('tr', {}, r.map(c => el('td', {}, c)))))));
}

export function showError(target, error) {
  target.replaceChildren(...(error.lines ?? [String(error.message ?? error)]).map(l => el('p', { class: 'error', role: 'alert' }, l)));
}

export const day = d => d ?? '长期';
export const time = t => t ? new Date(t).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';
