// The court's words for the protocol's values.

/** @type {Record<string, string>} */
export const ROLE_LABELS = {
  presiding_judge: '审判长',
  judge: '审判员',
  clerk: '书记员',
  plaintiff: '原告',
  defendant: '被告',
  plaintiff_agent: '原告代理人',
  defendant_agent: '被告代理人',
  third_party: '第三人',
  witness: '证人',
};

/** @type {Record<string, string>} */
export const STATUS_LABELS = {
  scheduled: '未开庭',
  in_session: '庭审中',
  adjourned: '休庭',
  closed: '已闭庭',
  cancelled: '已取消',
};

/** @type {Record<string, string>} */
export const SIDE_LABELS = {
  court: '法庭',
  plaintiff: '原告',
  defendant: '被告',
  third_party: '第三人',
  witness: '证人',
};

/** @type {Record<string, string>} */
export const NETWORK_LABELS = { good: '良好', fair: '一般', poor: '较差' };

/** @type {Record<string, string>} */
export const KIND_LABELS = { image: '图片', pdf: 'PDF文档', document: '文档', audio: '音频', video: '视频' };

/** Roles that run the hearing. */
export const JUDGE_ROLES = ['presiding_judge', 'judge'];
/** Roles that submit and cross-examine evidence. */
export const PARTY_SIDES = ['plaintiff', 'defendant', 'third_party'];

/** @type {Record<string, string>} */
export const ROLE_SIDES = {
  presiding_judge: 'court',
  judge: 'court',
  clerk: 'court',
  plaintiff: 'plaintiff',
  plaintiff_agent: 'plaintiff',
  defendant: 'defendant',
  defendant_agent: 'defendant',
  third_party: 'third_party',
  witness: 'witness',
};

/** "原告 张三" */
export function label(/** @type {{role: string, name: string}} */ p) {
  return `${ROLE_LABELS[p.role] ?? p.role} ${p.name}`;
}
