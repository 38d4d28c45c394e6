/**
 * The dossier workflow: states, actions, and the one pure guard that decides who may do what in
 * which state (docs/WORKFLOW.md has the table). No I/O here; the service asks `decide` and
 * applies the transition it returns.
 */

export const DOSSIER_STATUSES = [
  'draft',
  'submitted',
  'received',
  'refused',
  'in_progress',
  'supplement_requested',
  'payment_requested',
  'withdrawn',
  'stopped',
  'done',
  'returned',
] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

/** National status codes of the Cổng DVCQG (DOMAIN section 4); drafts have none. */
export const NATIONAL_STATUS: Record<DossierStatus, number | null> = {
  draft: null,
  submitted: 1,
  received: 2,
  refused: 3,
  in_progress: 4,
  supplement_requested: 5,
  payment_requested: 6,
  withdrawn: 7,
  stopped: 8,
  done: 9,
  returned: 10,
};

export const STATUS_NAMES_VI: Record<DossierStatus, string> = {
  draft: 'Bản nháp',
  submitted: 'Mới đăng ký',
  received: 'Được tiếp nhận',
  refused: 'Không được tiếp nhận',
  in_progress: 'Đang xử lý',
  supplement_requested: 'Yêu cầu bổ sung giấy tờ',
  payment_requested: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  withdrawn: 'Công dân yêu cầu rút hồ sơ',
  stopped: 'Dừng xử lý',
  done: 'Đã xử lý xong',
  returned: 'Đã trả kết quả',
};

/** Final states: the legal clock has stopped for good. */
export const FINAL_STATUSES: ReadonlySet<DossierStatus> = new Set(['refused', 'withdrawn', 'stopped', 'done', 'returned']);

export const DOSSIER_ACTIONS = [
  'submit',
  'receive',
  'refuse',
  'assign',
  'forward',
  'request_supplement',
  'supplement',
  'request_payment',
  'confirm_payment',
  'approve',
  'return_result',
  'extend',
  'stop',
  'withdraw',
] as const;
export type DossierAction = (typeof DOSSIER_ACTIONS)[number];

/** The part a person plays for one dossier: derived from their roles and the dossier. */
export type DossierParty = 'applicant' | 'reception' | 'specialist' | 'leader';

export type WorkflowStepRole = 'specialist' | 'leader';

/** What the guard needs to know about a dossier. */
export interface DossierFacts {
  status: DossierStatus;
  /** The desk has received it once (so the legal clock has started). */
  isReceived: boolean;
  /** The role of the current workflow step, when in progress. */
  stepRole: WorkflowStepRole | null;
  /** Whether the current step is the last one of the procedure's workflow. */
  isLastStep: boolean;
  /** The acting person is the dossier's assignee. */
  isAssignee: boolean;
  /** The dossier has an assignee. */
  hasAssignee: boolean;
  /** Its procedure version charges a fee (or the officer states an amount); absent = yes. Nothing to pay → no payment request. */
  hasFees?: boolean;
  /** Whether the procedure's result has been approved and a rating exists, etc. are not needed here. */
  /** The extension policy as it applies to this dossier now (setting `dossier_extension`); absent = the defaults. */
  extension?: ExtensionFacts;
}

/** What the configurable extension policy (DOMAIN section 4: limits and approvers [config]) says about one dossier now. */
export interface ExtensionFacts {
  /** The parties that may grant an extension (default: the leader). */
  approvers: readonly DossierParty[];
  /** It has been extended as many times as allowed. */
  limitReached: boolean;
  /** It is neither late nor due within the window the policy allows extensions in. */
  tooEarly: boolean;
}

interface Rule {
  /** Parties that may ever take this action (otherwise 403); for `extend`, as the policy says. */
  parties: readonly DossierParty[] | ((f: DossierFacts) => readonly DossierParty[]);
  /** States the action starts from (otherwise 409). */
  from: readonly DossierStatus[];
  /** Extra condition on the facts; a false result is a 409 with `reason`. */
  when?: (f: DossierFacts, party: DossierParty) => string | null;
  /** The resulting state. */
  to: (f: DossierFacts) => DossierStatus;
}

const OPEN_STATES = ['received', 'in_progress', 'supplement_requested', 'payment_requested'] as const;

const notReceived = (f: DossierFacts) => (f.isReceived ? null : 'the dossier has not been received yet');

/** Why `request_payment` is refused on a dossier with nothing to pay (the service shows a message of its own for it). */
export const NO_FEES_REASON = 'the procedure charges no fee: there is nothing to pay';

/** The whole table. Each reason is the why of the rule, kept next to it. */
export const RULES: Record<DossierAction, Rule> = {
  // The applicant (or the desk, for a walk-in applicant) files a completed draft.
  submit: { parties: ['applicant', 'reception'], from: ['draft'], to: () => 'submitted' },
  // The desk accepts a new dossier (the legal clock starts) or a supplemented one (the clock
  // resumes and the dossier goes back to the step that asked for the supplement).
  receive: {
    parties: ['reception'],
    from: ['submitted'],
    to: (f) => (f.isReceived ? (f.hasAssignee ? 'in_progress' : 'received') : 'received'),
  },
  // Refusal to receive (form 03) is only possible before the dossier was first received: a new
  // dossier, or one the desk sent back for a supplement before receiving it that the applicant
  // does not complete (otherwise nothing but a withdrawal could end it).
  refuse: {
    parties: ['reception'],
    from: ['submitted', 'supplement_requested'],
    when: (f) => (f.isReceived ? 'a received dossier cannot be refused; stop it instead' : null),
    to: () => 'refused',
  },
  // The desk hands a received dossier to a specialist; a leader may reassign one in progress.
  assign: {
    parties: ['reception', 'leader'],
    from: ['received', 'in_progress'],
    when: (f, p) => (f.status === 'in_progress' && p !== 'leader' ? 'only a leader may reassign a dossier in progress' : null),
    to: () => 'in_progress',
  },
  // The holder of the current step finishes it and passes the dossier to the next step.
  forward: {
    parties: ['specialist', 'leader'],
    from: ['in_progress'],
    when: (f, p) =>
      f.stepRole !== p
        ? `the current step belongs to the ${f.stepRole ?? 'desk'}`
        : p === 'specialist' && !f.isAssignee
          ? 'only the assigned specialist may forward the dossier'
          : f.isLastStep
            ? 'this is the last step: approve the dossier instead'
            : null,
    to: () => 'in_progress',
  },
  // Asking for missing documents pauses the legal clock (form 02). Before reception the desk
  // may also ask, without a clock running.
  request_supplement: {
    parties: ['reception', 'specialist'],
    from: ['submitted', 'in_progress'],
    when: (f, p) =>
      p === 'reception' && (f.status !== 'submitted' || f.isReceived)
        ? 'the desk asks for supplements only before first receiving; afterwards the specialist does'
        : p === 'specialist' && (f.stepRole !== 'specialist' || !f.isAssignee)
          ? 'only the assigned specialist at a review step may ask for a supplement'
          : null,
    to: () => 'supplement_requested',
  },
  // The applicant sends the completed dossier back to the desk; the desk records supplements
  // brought to the counter (walk-in applicants often have no account).
  supplement: { parties: ['applicant', 'reception'], from: ['supplement_requested'], to: () => 'submitted' },
  request_payment: {
    parties: ['reception', 'specialist'],
    from: ['received', 'in_progress'],
    when: (f, p) =>
      p === 'specialist' && (f.stepRole !== 'specialist' || !f.isAssignee)
        ? 'only the assigned specialist at a review step may ask for payment'
        : f.hasFees === false
          ? NO_FEES_REASON
          : null,
    to: () => 'payment_requested',
  },
  confirm_payment: {
    parties: ['reception'],
    from: ['payment_requested'],
    to: (f) => (f.hasAssignee ? 'in_progress' : 'received'),
  },
  // Only a leader decides, at the last step of the workflow.
  approve: {
    parties: ['leader'],
    from: ['in_progress'],
    when: (f) => (f.stepRole !== 'leader' ? 'the dossier has not reached the leader step' : !f.isLastStep ? 'approve at the last step' : null),
    to: () => 'done',
  },
  return_result: { parties: ['reception'], from: ['done'], to: () => 'returned' },
  // Late or about to be: apology and a new due date (form 04). Who approves, how often and how
  // early are the extension policy's [config] (default: the leader, no limit, any time).
  // Both need a running (or paused) legal clock: before reception there is nothing to extend or stop.
  extend: {
    parties: (f) => f.extension?.approvers ?? ['leader'],
    from: ['submitted', ...OPEN_STATES],
    when: (f) =>
      notReceived(f) ??
      (f.extension?.limitReached
        ? 'the dossier has been extended as many times as the policy allows'
        : f.extension?.tooEarly
          ? 'the policy allows extending only a late dossier or one due soon'
          : null),
    to: (f) => f.status,
  },
  stop: { parties: ['leader'], from: ['submitted', ...OPEN_STATES], when: notReceived, to: () => 'stopped' },
  // The applicant withdraws; the desk records a written withdrawal request handed in at the counter.
  withdraw: {
    parties: ['applicant', 'reception'],
    from: ['submitted', ...OPEN_STATES],
    to: () => 'withdrawn',
  },
};

export type Decision = { ok: true; to: DossierStatus } | { ok: false; kind: 'forbidden' | 'conflict'; reason: string };

/** The guard: may `party` take `action` on a dossier with these facts, and what state results. */
export function decide(action: DossierAction, party: DossierParty, facts: DossierFacts): Decision {
  const rule = RULES[action];
  const parties = typeof rule.parties === 'function' ? rule.parties(facts) : rule.parties;
  if (!parties.includes(party)) return { ok: false, kind: 'forbidden', reason: `${party} may not ${action}` };
  if (!rule.from.includes(facts.status)) return { ok: false, kind: 'conflict', reason: `cannot ${action} a dossier in status ${facts.status}` };
  const why = rule.when?.(facts, party) ?? null;
  if (why) return { ok: false, kind: 'conflict', reason: why };
  return { ok: true, to: rule.to(facts) };
}

/** Every action these parties may take now, for `allowedActions` in responses and pages. */
export function allowedActions(parties: readonly DossierParty[], facts: DossierFacts): DossierAction[] {
  return DOSSIER_ACTIONS.filter((a) => a !== 'submit' && parties.some((p) => decide(a, p, facts).ok));
}

/** The first party that may take the action (a person can hold several roles). */
export function decideForParties(action: DossierAction, parties: readonly DossierParty[], facts: DossierFacts): Decision & { party?: DossierParty } {
  let conflict: Decision | null = null;
  for (const p of parties) {
    const d = decide(action, p, facts);
    if (d.ok) return { ...d, party: p };
    if (d.kind === 'conflict' && !conflict) conflict = d;
  }
  return conflict ?? { ok: false, kind: 'forbidden', reason: `you may not ${action}` };
}

/** Overdue is derived, never stored (DOMAIN section 4). A paused dossier is judged at its pause. */
export function isOverdue(d: { status: DossierStatus; dueAt: Date | null; finishedAt: Date | null; pausedAt: Date | null }, now: Date): boolean {
  if (!d.dueAt) return false;
  // A clock paused for a supplement that never came back stopped at the pause.
  const end = d.pausedAt ?? d.finishedAt ?? (FINAL_STATUSES.has(d.status) ? null : now);
  return end !== null && end.getTime() > d.dueAt.getTime();
}
