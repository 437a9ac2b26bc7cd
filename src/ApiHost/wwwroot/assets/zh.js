// Plain-Chinese texts for the API's codes. The archive copy prints the same table (src/ApiHost/Copies/ReasonTexts.cs).
export const reasons = {
  'expired': '证照已过有效期',
  'suspended': '证照被暂扣',
  'not-yet-valid': '证照尚未生效',
  'superseded': '该版本已被新版本替代（证照已变更）',
  'revoked': '证照已被吊销',
  'withdrawn': '证照已被撤销',
  'cancelled': '证照已注销',
  'transferred': '证照已转出',
  'abolished': '证照已废止',
  'presentation_used': '亮证码已被使用过（一码一用），请持证人重新亮证',
};

export const statuses = {
  valid: '有效', suspended: '暂扣', withdrawn: '撤销', cancelled: '注销', expired: '失效', transferred: '转出', revoked: '吊销', abolished: '废止',
};

export const comparison = { match: '一致', mismatch: '不一致', absent: '证照无此项', 'not-permitted': '无权比对' };

export const basis = { presentation: '持证人亮证', authorization: '持证人授权', scope: '业务范围内（免提交）' };

export const fieldLabels = {
  purpose: '用证事由', matterCode: '事项', caseNumber: '办件编号', 'operator.name': '经办人', presentationToken: '亮证码',
  licenseId: '证照标识', holder: '持证主体', 'holder.idNumber': '证件号码', 'holder.idType': '证件类型', compare: '比对项', id: '证照标识',
  granteeUnitCode: '被授权单位', expiresAt: '截止时间', maxUses: '次数', ttlSeconds: '有效时长', idNumber: '证件号码', name: '名称',
};

export const reason = code => reasons[code] ?? code;
export const status = code => statuses[code] ?? code;

const segmentNames = { type: '证照类型代码', issuer: '颁发机构代码', serial: '流水号', version: '版本号', check: '校验位' };

/** One message of the API about a field, in Chinese; the original English follows in brackets when not fully translated. */
export function message(field, text) {
  let m;
  if ((m = /^check character should be ([0-9A-Z])$/.exec(text))) {
    return `校验位错误：按 ISO/IEC 7064 MOD 37,36 计算，校验位应为 ${m[1]}`;
  }
  if ((m = /^segment '(\w+)' (.*)$/.exec(text))) {
    return `「${segmentNames[m[1]] ?? m[1]}」段有误（${m[2]}）`;
  }
  if (/must start with the root/.test(text)) return '证照标识必须以 1.2.156.3005.2. 开头';
  if ((m = /must have 5 segments .* got (\d+)/.exec(text))) return `证照标识在根之后应有 5 段（类型.颁发机构.流水号.版本号.校验位），实际为 ${m[1]} 段`;
  if (/must not contain whitespace/.test(text)) return '证照标识中不能有空格';
  if (text === 'is required' || /is required/.test(text)) return '必填';
  if (/does not match the purpose the holder presented/.test(text)) return '用证事由与持证人亮证时填写的事由不一致';
  if (/is not a genuine presentation token|has expired|expired/.test(text)) return `亮证码无效或已过期，请持证人重新亮证（${text}）`;
  if (/give either presentationToken or licenseId/.test(text)) return '请扫描或输入亮证码';
  return text;
}

/** A problem answer as lines of Chinese text. */
export function problemLines(problem, status) {
  const lines = [];
  if (problem && problem.errors) {
    for (const [field, texts] of Object.entries(problem.errors)) {
      for (const t of texts) lines.push(`${fieldLabels[field] ?? field}：${message(field, t)}`);
    }
  }
  if (lines.length === 0) {
    const byStatus = {
      401: '未登录或登录已过期，请重新登录', 403: '无权进行此操作', 404: '未找到，或无权查看（不在授权或业务范围内）',
      409: '操作冲突，请稍后再试', 429: '请求过于频繁，请稍后再试', 503: '服务暂时不可用，请稍后再试',
    };
    lines.push(byStatus[status] ?? `出错了（${status}）${problem?.detail ? '：' + problem.detail : ''}`);
  }
  return lines;
}
