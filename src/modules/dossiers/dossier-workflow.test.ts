import { describe, expect, it } from 'vitest';
import {
  DOSSIER_ACTIONS,
  DOSSIER_STATUSES,
  FINAL_STATUSES,
  NATIONAL_STATUS,
  STATUS_NAMES_VI,
  allowedActions,
  decide,
  decideForParties,
  isOverdue,
  type Decision,
  type DossierAction,
  type DossierFacts,
  type DossierParty,
  type DossierStatus,
  type ExtensionFacts,
} from './dossier-workflow.ts';

// The guard, written out by hand (docs/WORKFLOW.md). Nothing below is computed from RULES: each
// expectation is a literal, so a change to the rules has to be made here on purpose too.

type Outcome = `ok:${DossierStatus}` | 'forbidden' | 'conflict';

const F = 'forbidden' as const;
const C = 'conflict' as const;

const PARTIES = ['applicant', 'reception', 'specialist', 'leader'] as const satisfies readonly DossierParty[];

function outcome(d: Decision): Outcome {
  return d.ok ? `ok:${d.to}` : d.kind;
}

function facts(status: DossierStatus, rest: Partial<Omit<DossierFacts, 'status'>> = {}): DossierFacts {
  return { status, isReceived: false, stepRole: null, isLastStep: false, isAssignee: false, hasAssignee: false, ...rest };
}

// ---------------------------------------------------------------------------------------------
// Realistic facts for each status. `isAssignee` is about the person acting, so a scenario fixes it
// for all four parties (e.g. "the actor is the assigned specialist").

const SCENARIOS = {
  draft: facts('draft'),
  submittedFirstTime: facts('submitted'),
  /** Received, processed, sent back for a supplement, and resubmitted: waiting at the desk again
   * (the clock is still paused; only the desk's receive resumes it). */
  submittedAfterSupplement: facts('submitted', { isReceived: true, hasAssignee: true }),
  received: facts('received', { isReceived: true }),
  refused: facts('refused'),
  /** At a specialist review step; the actor is the assigned specialist. */
  inProgressSpecialistStepAssigned: facts('in_progress', { isReceived: true, stepRole: 'specialist', isAssignee: true, hasAssignee: true }),
  /** At a specialist review step; the dossier is assigned to someone else. */
  inProgressSpecialistStepOther: facts('in_progress', { isReceived: true, stepRole: 'specialist', hasAssignee: true }),
  /** At a leader step that is not the last one (e.g. head of department before the chairman). */
  inProgressLeaderMiddleStep: facts('in_progress', { isReceived: true, stepRole: 'leader', hasAssignee: true }),
  /** At the leader's approval, the last step. */
  inProgressLeaderLastStep: facts('in_progress', { isReceived: true, stepRole: 'leader', isLastStep: true, hasAssignee: true }),
  /** At the leader's approval; the actor is the specialist who still holds the assignment. */
  inProgressLeaderLastStepActorAssignee: facts('in_progress', { isReceived: true, stepRole: 'leader', isLastStep: true, isAssignee: true, hasAssignee: true }),
  /** The desk asked before receiving (no clock: nothing to extend or stop). */
  supplementRequestedBeforeReception: facts('supplement_requested'),
  /** The specialist asked during processing (clock paused). */
  supplementRequestedAfterReception: facts('supplement_requested', { isReceived: true, isAssignee: true, hasAssignee: true }),
  /** The desk asked for fees right after receiving. */
  paymentRequestedUnassigned: facts('payment_requested', { isReceived: true }),
  /** The specialist asked for fees during processing. */
  paymentRequestedAssigned: facts('payment_requested', { isReceived: true, hasAssignee: true }),
  withdrawn: facts('withdrawn', { isReceived: true, hasAssignee: true }),
  stopped: facts('stopped', { isReceived: true, hasAssignee: true }),
  done: facts('done', { isReceived: true, isLastStep: true, hasAssignee: true }),
  returned: facts('returned', { isReceived: true, isLastStep: true, hasAssignee: true }),
} satisfies Record<string, DossierFacts>;

type ScenarioName = keyof typeof SCENARIOS;

/** [applicant, reception, specialist, leader] */
type Row = readonly [Outcome, Outcome, Outcome, Outcome];

// prettier-ignore
const EXPECTED: Record<ScenarioName, Record<DossierAction, Row>> = {
  draft: {
    submit:             ['ok:submitted', 'ok:submitted', F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           [C, C, F, F],
  },
  submittedFirstTime: {
    submit:             [C, C, F, F],
    receive:            [F, 'ok:received', F, F],
    refuse:             [F, 'ok:refused', F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, 'ok:supplement_requested', C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  submittedAfterSupplement: {
    submit:             [C, C, F, F],
    receive:            [F, 'ok:in_progress', F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:submitted'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  received: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, 'ok:in_progress', F, 'ok:in_progress'],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, 'ok:payment_requested', C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:received'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  refused: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           [C, C, F, F],
  },
  inProgressSpecialistStepAssigned: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, 'ok:in_progress'],
    forward:            [F, F, 'ok:in_progress', C],
    request_supplement: [F, C, 'ok:supplement_requested', F],
    supplement:         [C, C, F, F],
    request_payment:    [F, 'ok:payment_requested', 'ok:payment_requested', F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:in_progress'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  inProgressSpecialistStepOther: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, 'ok:in_progress'],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, 'ok:payment_requested', C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:in_progress'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  inProgressLeaderMiddleStep: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, 'ok:in_progress'],
    forward:            [F, F, C, 'ok:in_progress'],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, 'ok:payment_requested', C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:in_progress'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  inProgressLeaderLastStep: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, 'ok:in_progress'],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, 'ok:payment_requested', C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, 'ok:done'],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:in_progress'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  // The specialist who still holds the assignment may no longer ask for payment once the dossier
  // is at the leader's step (request_payment checks the step as well as the assignment).
  inProgressLeaderLastStepActorAssignee: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, 'ok:in_progress'],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, 'ok:payment_requested', C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, 'ok:done'],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:in_progress'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  supplementRequestedBeforeReception: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, 'ok:refused', F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         ['ok:submitted', 'ok:submitted', F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  supplementRequestedAfterReception: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         ['ok:submitted', 'ok:submitted', F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:supplement_requested'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  paymentRequestedUnassigned: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, 'ok:received', F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:payment_requested'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  paymentRequestedAssigned: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, 'ok:in_progress', F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, 'ok:payment_requested'],
    stop:               [F, F, F, 'ok:stopped'],
    withdraw:           ['ok:withdrawn', 'ok:withdrawn', F, F],
  },
  withdrawn: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           [C, C, F, F],
  },
  stopped: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           [C, C, F, F],
  },
  done: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, 'ok:returned', F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           [C, C, F, F],
  },
  returned: {
    submit:             [C, C, F, F],
    receive:            [F, C, F, F],
    refuse:             [F, C, F, F],
    assign:             [F, C, F, C],
    forward:            [F, F, C, C],
    request_supplement: [F, C, C, F],
    supplement:         [C, C, F, F],
    request_payment:    [F, C, C, F],
    confirm_payment:    [F, C, F, F],
    approve:            [F, F, F, C],
    return_result:      [F, C, F, F],
    extend:             [F, F, F, C],
    stop:               [F, F, F, C],
    withdraw:           [C, C, F, F],
  },
};

const TABLE = (Object.keys(EXPECTED) as ScenarioName[]).flatMap((scenario) =>
  DOSSIER_ACTIONS.flatMap((action) => PARTIES.map((party, i) => ({ scenario, action, party, expected: EXPECTED[scenario][action][i]! }))),
);

describe('decide: the full table (action × party × status)', () => {
  it('covers every status, and every action and party in each scenario', () => {
    expect(new Set(Object.values(SCENARIOS).map((f) => f.status))).toEqual(new Set(DOSSIER_STATUSES));
    for (const rows of Object.values(EXPECTED)) expect(Object.keys(rows).sort()).toEqual([...DOSSIER_ACTIONS].sort());
    expect(TABLE).toHaveLength(Object.keys(SCENARIOS).length * DOSSIER_ACTIONS.length * PARTIES.length);
  });

  it.each(TABLE)('$scenario: $action by $party → $expected', ({ scenario, action, party, expected }) => {
    const d = decide(action, party, SCENARIOS[scenario]);
    expect(outcome(d)).toBe(expected);
    if (!d.ok) expect(d.reason).not.toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// Each `when` condition, with its reason

function reasonOf(d: Decision): string {
  if (d.ok) throw new Error(`expected a refusal, got ok → ${d.to}`);
  return d.reason;
}

describe('decide: the conditions of each rule', () => {
  const atSpecialistStep = (rest: Partial<DossierFacts> = {}) =>
    facts('in_progress', { isReceived: true, stepRole: 'specialist', isAssignee: true, hasAssignee: true, ...rest });

  describe('forward', () => {
    it('lets the assigned specialist pass a specialist step on', () => {
      expect(decide('forward', 'specialist', atSpecialistStep())).toEqual({ ok: true, to: 'in_progress' });
    });
    it('refuses a specialist who is not the assignee', () => {
      const d = decide('forward', 'specialist', atSpecialistStep({ isAssignee: false }));
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe('only the assigned specialist may forward the dossier');
    });
    it('refuses at the last step: the leader approves instead', () => {
      const d = decide('forward', 'leader', facts('in_progress', { isReceived: true, stepRole: 'leader', isLastStep: true, hasAssignee: true }));
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe('this is the last step: approve the dossier instead');
    });
    it('lets a leader forward a leader step that is not the last, without being the assignee', () => {
      expect(decide('forward', 'leader', facts('in_progress', { isReceived: true, stepRole: 'leader', hasAssignee: true }))).toEqual({
        ok: true,
        to: 'in_progress',
      });
    });
    it('refuses the party whose step it is not, naming the step owner', () => {
      expect(reasonOf(decide('forward', 'leader', atSpecialistStep()))).toBe('the current step belongs to the specialist');
      expect(reasonOf(decide('forward', 'specialist', atSpecialistStep({ stepRole: 'leader' })))).toBe('the current step belongs to the leader');
      expect(reasonOf(decide('forward', 'specialist', atSpecialistStep({ stepRole: null })))).toBe('the current step belongs to the desk');
    });
  });

  describe('approve', () => {
    it('approves at the leader last step', () => {
      expect(decide('approve', 'leader', facts('in_progress', { isReceived: true, stepRole: 'leader', isLastStep: true }))).toEqual({ ok: true, to: 'done' });
    });
    it('refuses before the leader step', () => {
      const d = decide('approve', 'leader', atSpecialistStep());
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe('the dossier has not reached the leader step');
    });
    it('refuses at a leader step that is not the last', () => {
      const d = decide('approve', 'leader', facts('in_progress', { isReceived: true, stepRole: 'leader', isLastStep: false }));
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe('approve at the last step');
    });
    it('is never for the specialist, even the assignee at the last step', () => {
      expect(outcome(decide('approve', 'specialist', atSpecialistStep({ stepRole: 'leader', isLastStep: true })))).toBe('forbidden');
    });
  });

  describe('refuse', () => {
    it('refuses to receive a new dossier (form 03)', () => {
      expect(decide('refuse', 'reception', facts('submitted'))).toEqual({ ok: true, to: 'refused' });
    });
    it('cannot refuse a dossier that was received once (resubmitted after a supplement)', () => {
      const d = decide('refuse', 'reception', facts('submitted', { isReceived: true, hasAssignee: true }));
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe('a received dossier cannot be refused; stop it instead');
    });
    it('refuses a dossier the desk sent back for a supplement before receiving it, which the applicant does not complete', () => {
      expect(decide('refuse', 'reception', facts('supplement_requested'))).toEqual({ ok: true, to: 'refused' });
    });
    it('cannot refuse a received dossier waiting for a supplement: a leader stops it instead', () => {
      const waiting = facts('supplement_requested', { isReceived: true, isAssignee: true, hasAssignee: true });
      expect(reasonOf(decide('refuse', 'reception', waiting))).toBe('a received dossier cannot be refused; stop it instead');
      expect(decide('stop', 'leader', waiting)).toEqual({ ok: true, to: 'stopped' });
    });
    it('refuses only from submitted or a supplement request, never from another state', () => {
      const from = ['submitted', 'supplement_requested'];
      for (const s of DOSSIER_STATUSES) {
        expect(outcome(decide('refuse', 'reception', facts(s)))).toBe(from.includes(s) ? 'ok:refused' : 'conflict');
      }
    });
    it('is only for the desk', () => {
      for (const p of ['applicant', 'specialist', 'leader'] as const) {
        expect(outcome(decide('refuse', p, facts('supplement_requested')))).toBe('forbidden');
      }
    });
  });

  describe('receive', () => {
    it('receives a new dossier into received (the clock starts)', () => {
      expect(decide('receive', 'reception', facts('submitted'))).toEqual({ ok: true, to: 'received' });
    });
    it('returns a dossier supplemented during processing to in_progress (the step that asked)', () => {
      expect(decide('receive', 'reception', facts('submitted', { isReceived: true, hasAssignee: true }))).toEqual({ ok: true, to: 'in_progress' });
    });
    it('returns a supplemented dossier without an assignee to received', () => {
      expect(decide('receive', 'reception', facts('submitted', { isReceived: true, hasAssignee: false }))).toEqual({ ok: true, to: 'received' });
    });
    it('receives a dossier supplemented before reception as a new one', () => {
      expect(decide('receive', 'reception', facts('submitted', { isReceived: false, hasAssignee: false }))).toEqual({ ok: true, to: 'received' });
    });
    it('is only for the desk', () => {
      for (const p of ['applicant', 'specialist', 'leader'] as const) expect(outcome(decide('receive', p, facts('submitted')))).toBe('forbidden');
    });
  });

  describe('request_supplement', () => {
    const deskWhy = 'the desk asks for supplements only before first receiving; afterwards the specialist does';
    it('lets the desk ask before receiving', () => {
      expect(decide('request_supplement', 'reception', facts('submitted'))).toEqual({ ok: true, to: 'supplement_requested' });
    });
    it('refuses the desk after reception', () => {
      const d = decide('request_supplement', 'reception', atSpecialistStep());
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe(deskWhy);
    });
    it('refuses the desk on a dossier resubmitted after a supplement (received before), so the pause cannot be overwritten', () => {
      for (const hasAssignee of [true, false]) {
        const d = decide('request_supplement', 'reception', facts('submitted', { isReceived: true, hasAssignee }));
        expect(d).toEqual({ ok: false, kind: 'conflict', reason: deskWhy });
      }
    });
    it('lets the desk ask again on a dossier supplemented before reception (still no clock)', () => {
      expect(decide('request_supplement', 'reception', facts('submitted', { isReceived: false }))).toEqual({ ok: true, to: 'supplement_requested' });
    });
    it('refuses everyone on the resubmitted dossier: the desk must receive it first, then the specialist asks', () => {
      const resubmitted = facts('submitted', { isReceived: true, hasAssignee: true, isAssignee: true });
      expect(decideForParties('request_supplement', ['reception', 'specialist'], resubmitted).ok).toBe(false);
      expect(decide('request_supplement', 'specialist', { ...resubmitted, status: 'in_progress', stepRole: 'specialist' })).toEqual({
        ok: true,
        to: 'supplement_requested',
      });
    });
    it('refuses the desk on a received dossier not yet assigned (from-state)', () => {
      expect(outcome(decide('request_supplement', 'reception', facts('received', { isReceived: true })))).toBe('conflict');
    });
    it('lets the assigned specialist at a review step ask', () => {
      expect(decide('request_supplement', 'specialist', atSpecialistStep())).toEqual({ ok: true, to: 'supplement_requested' });
    });
    it('refuses a specialist who is not the assignee, or not at a specialist step', () => {
      const why = 'only the assigned specialist at a review step may ask for a supplement';
      expect(reasonOf(decide('request_supplement', 'specialist', atSpecialistStep({ isAssignee: false })))).toBe(why);
      expect(reasonOf(decide('request_supplement', 'specialist', atSpecialistStep({ stepRole: 'leader' })))).toBe(why);
      expect(reasonOf(decide('request_supplement', 'specialist', facts('submitted')))).toBe(why);
    });
    it('is never for the leader', () => {
      expect(outcome(decide('request_supplement', 'leader', facts('in_progress', { isReceived: true, stepRole: 'leader', isLastStep: true })))).toBe(
        'forbidden',
      );
    });
  });

  describe('request_payment and confirm_payment', () => {
    it('lets the desk ask for fees after receiving', () => {
      expect(decide('request_payment', 'reception', facts('received', { isReceived: true }))).toEqual({ ok: true, to: 'payment_requested' });
    });
    it('lets the assigned specialist at a review step ask for fees', () => {
      expect(decide('request_payment', 'specialist', atSpecialistStep())).toEqual({ ok: true, to: 'payment_requested' });
    });
    it('refuses a specialist who is not the assignee', () => {
      const d = decide('request_payment', 'specialist', atSpecialistStep({ isAssignee: false }));
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe('only the assigned specialist at a review step may ask for payment');
    });
    it('refuses the assignee once the dossier has left the specialist step', () => {
      const why = 'only the assigned specialist at a review step may ask for payment';
      expect(decide('request_payment', 'specialist', atSpecialistStep({ stepRole: 'leader' }))).toEqual({ ok: false, kind: 'conflict', reason: why });
      expect(decide('request_payment', 'specialist', atSpecialistStep({ stepRole: 'leader', isLastStep: true }))).toEqual({
        ok: false,
        kind: 'conflict',
        reason: why,
      });
      expect(decide('request_payment', 'specialist', atSpecialistStep({ stepRole: null }))).toEqual({ ok: false, kind: 'conflict', reason: why });
      // received, not yet at any step
      expect(decide('request_payment', 'specialist', facts('received', { isReceived: true, isAssignee: true }))).toEqual({
        ok: false,
        kind: 'conflict',
        reason: why,
      });
    });
    it('lets the desk ask for fees at any step, without being the assignee', () => {
      expect(decide('request_payment', 'reception', atSpecialistStep({ stepRole: 'leader', isAssignee: false }))).toEqual({
        ok: true,
        to: 'payment_requested',
      });
    });
    it('confirm_payment returns an unassigned dossier to received', () => {
      expect(decide('confirm_payment', 'reception', facts('payment_requested', { isReceived: true, hasAssignee: false }))).toEqual({
        ok: true,
        to: 'received',
      });
    });
    it('confirm_payment returns an assigned dossier to in_progress', () => {
      expect(decide('confirm_payment', 'reception', facts('payment_requested', { isReceived: true, hasAssignee: true }))).toEqual({
        ok: true,
        to: 'in_progress',
      });
    });
  });

  describe('assign', () => {
    it('lets the desk assign a received dossier', () => {
      expect(decide('assign', 'reception', facts('received', { isReceived: true }))).toEqual({ ok: true, to: 'in_progress' });
    });
    it('refuses the desk a reassignment in progress', () => {
      const d = decide('assign', 'reception', atSpecialistStep());
      expect(outcome(d)).toBe('conflict');
      expect(reasonOf(d)).toBe('only a leader may reassign a dossier in progress');
    });
    it('lets a leader reassign in progress', () => {
      expect(decide('assign', 'leader', atSpecialistStep({ isAssignee: false }))).toEqual({ ok: true, to: 'in_progress' });
    });
    it('is never for the specialist', () => {
      expect(outcome(decide('assign', 'specialist', atSpecialistStep()))).toBe('forbidden');
    });
  });

  describe('extend and stop', () => {
    const notReceived = 'the dossier has not been received yet';
    it('extend keeps the status of every open state, and of a resubmitted dossier', () => {
      for (const s of ['submitted', 'received', 'in_progress', 'supplement_requested', 'payment_requested'] as const) {
        expect(decide('extend', 'leader', facts(s, { isReceived: true }))).toEqual({ ok: true, to: s });
      }
    });
    it('stop ends every open state and a resubmitted dossier, and nothing else', () => {
      const from = ['submitted', 'received', 'in_progress', 'supplement_requested', 'payment_requested'];
      for (const s of DOSSIER_STATUSES) {
        expect(outcome(decide('stop', 'leader', facts(s, { isReceived: true })))).toBe(from.includes(s) ? 'ok:stopped' : 'conflict');
      }
    });
    it('stops or extends a dossier resubmitted after a supplement (it can no longer be refused)', () => {
      const resubmitted = facts('submitted', { isReceived: true, hasAssignee: true });
      expect(decide('stop', 'leader', resubmitted)).toEqual({ ok: true, to: 'stopped' });
      expect(decide('extend', 'leader', resubmitted)).toEqual({ ok: true, to: 'submitted' });
      expect(outcome(decide('refuse', 'reception', resubmitted))).toBe('conflict');
    });
    it('refuses both before reception, when there is no clock to extend or stop', () => {
      for (const action of ['extend', 'stop'] as const) {
        for (const s of ['submitted', 'supplement_requested'] as const) {
          expect(decide(action, 'leader', facts(s, { isReceived: false }))).toEqual({ ok: false, kind: 'conflict', reason: notReceived });
        }
      }
    });
    it('judges the state before reception: a final or draft dossier is a from-state conflict', () => {
      expect(reasonOf(decide('stop', 'leader', facts('draft')))).toBe('cannot stop a dossier in status draft');
      expect(reasonOf(decide('extend', 'leader', facts('refused')))).toBe('cannot extend a dossier in status refused');
    });
    it('is only for the leader', () => {
      for (const p of ['applicant', 'reception', 'specialist'] as const) {
        expect(outcome(decide('stop', p, facts('received', { isReceived: true })))).toBe('forbidden');
        expect(outcome(decide('extend', p, facts('received', { isReceived: true })))).toBe('forbidden');
      }
    });
  });

  describe('supplement and withdraw (applicant, or the desk on their behalf)', () => {
    it('withdraw is open to the applicant and the desk from submission until done', () => {
      const from = ['submitted', 'received', 'in_progress', 'supplement_requested', 'payment_requested'];
      for (const p of ['applicant', 'reception'] as const) {
        for (const s of DOSSIER_STATUSES) {
          expect(outcome(decide('withdraw', p, facts(s)))).toBe(from.includes(s) ? 'ok:withdrawn' : 'conflict');
        }
      }
    });
    it('lets the desk record a written withdrawal request, before or after reception', () => {
      expect(decide('withdraw', 'reception', facts('submitted'))).toEqual({ ok: true, to: 'withdrawn' });
      expect(decide('withdraw', 'reception', facts('supplement_requested', { isReceived: true, hasAssignee: true }))).toEqual({ ok: true, to: 'withdrawn' });
    });
    it('lets the desk record a supplement brought to the counter; the dossier waits to be received again', () => {
      for (const isReceived of [false, true]) {
        expect(decide('supplement', 'reception', facts('supplement_requested', { isReceived }))).toEqual({ ok: true, to: 'submitted' });
        expect(decide('supplement', 'applicant', facts('supplement_requested', { isReceived }))).toEqual({ ok: true, to: 'submitted' });
      }
    });
    it('supplement only answers a supplement request', () => {
      for (const s of DOSSIER_STATUSES) {
        if (s === 'supplement_requested') continue;
        expect(reasonOf(decide('supplement', 'reception', facts(s)))).toBe(`cannot supplement a dossier in status ${s}`);
      }
    });
    it('is never for the specialist or the leader', () => {
      for (const p of ['specialist', 'leader'] as const) {
        expect(outcome(decide('supplement', p, facts('supplement_requested', { isReceived: true })))).toBe('forbidden');
        expect(outcome(decide('withdraw', p, facts('received', { isReceived: true })))).toBe('forbidden');
      }
    });
    it('a walk-in dossier (no applicant account) can still be supplemented or withdrawn by the desk', () => {
      const walkIn = facts('supplement_requested', { isReceived: true, hasAssignee: true });
      expect(decideForParties('supplement', ['reception'], walkIn)).toEqual({ ok: true, to: 'submitted', party: 'reception' });
      expect(decideForParties('withdraw', ['reception'], walkIn)).toEqual({ ok: true, to: 'withdrawn', party: 'reception' });
    });
  });

  it('checks the party before the state: 403 wins over 409', () => {
    expect(decide('approve', 'reception', facts('returned'))).toEqual({ ok: false, kind: 'forbidden', reason: 'reception may not approve' });
    expect(decide('approve', 'leader', facts('returned'))).toEqual({ ok: false, kind: 'conflict', reason: 'cannot approve a dossier in status returned' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('allowedActions', () => {
  const S = SCENARIOS;
  it.each([
    { who: ['applicant'], at: 'draft', expected: [] },
    { who: ['reception'], at: 'draft', expected: [] },
    { who: ['applicant'], at: 'submittedFirstTime', expected: ['withdraw'] },
    { who: ['reception'], at: 'submittedFirstTime', expected: ['receive', 'refuse', 'request_supplement', 'withdraw'] },
    { who: ['leader'], at: 'submittedFirstTime', expected: [] },
    { who: ['reception'], at: 'submittedAfterSupplement', expected: ['receive', 'withdraw'] },
    { who: ['leader'], at: 'submittedAfterSupplement', expected: ['extend', 'stop'] },
    { who: ['reception'], at: 'received', expected: ['assign', 'request_payment', 'withdraw'] },
    { who: ['leader'], at: 'received', expected: ['assign', 'extend', 'stop'] },
    { who: ['reception', 'leader'], at: 'received', expected: ['assign', 'request_payment', 'extend', 'stop', 'withdraw'] },
    { who: ['specialist'], at: 'inProgressSpecialistStepAssigned', expected: ['forward', 'request_supplement', 'request_payment'] },
    { who: ['specialist'], at: 'inProgressSpecialistStepOther', expected: [] },
    { who: ['leader'], at: 'inProgressLeaderMiddleStep', expected: ['assign', 'forward', 'extend', 'stop'] },
    { who: ['leader'], at: 'inProgressLeaderLastStep', expected: ['assign', 'approve', 'extend', 'stop'] },
    { who: ['specialist'], at: 'inProgressLeaderLastStepActorAssignee', expected: [] },
    { who: ['applicant'], at: 'supplementRequestedAfterReception', expected: ['supplement', 'withdraw'] },
    { who: ['reception'], at: 'supplementRequestedAfterReception', expected: ['supplement', 'withdraw'] },
    { who: ['leader'], at: 'supplementRequestedAfterReception', expected: ['extend', 'stop'] },
    { who: ['reception'], at: 'supplementRequestedBeforeReception', expected: ['refuse', 'supplement', 'withdraw'] },
    { who: ['applicant'], at: 'supplementRequestedBeforeReception', expected: ['supplement', 'withdraw'] },
    { who: ['leader'], at: 'supplementRequestedBeforeReception', expected: [] },
    { who: ['reception'], at: 'paymentRequestedAssigned', expected: ['confirm_payment', 'withdraw'] },
    { who: ['reception'], at: 'done', expected: ['return_result'] },
    { who: ['applicant', 'reception', 'specialist', 'leader'], at: 'returned', expected: [] },
    { who: [], at: 'received', expected: [] },
  ] as { who: DossierParty[]; at: ScenarioName; expected: DossierAction[] }[])('$who at $at → $expected', ({ who, at, expected }) => {
    expect(allowedActions(who, S[at])).toEqual(expected);
  });

  it('never offers submit (it has its own endpoint), whoever asks and whatever the state', () => {
    const subsets = Array.from({ length: 16 }, (_, mask) => PARTIES.filter((_, i) => mask & (1 << i)));
    for (const f of Object.values(SCENARIOS)) for (const who of subsets) expect(allowedActions(who, f)).not.toContain('submit');
    // even where submit itself would be allowed
    expect(decide('submit', 'applicant', SCENARIOS.draft).ok).toBe(true);
  });
});

describe('decideForParties', () => {
  const inProgress = SCENARIOS.inProgressSpecialistStepAssigned;
  it('lets the first allowed party act, in the order given', () => {
    expect(decideForParties('assign', ['reception', 'leader'], SCENARIOS.received)).toEqual({ ok: true, to: 'in_progress', party: 'reception' });
    expect(decideForParties('assign', ['leader', 'reception'], SCENARIOS.received)).toEqual({ ok: true, to: 'in_progress', party: 'leader' });
  });
  it('skips parties that may not act to find one that may', () => {
    expect(decideForParties('assign', ['reception', 'leader'], inProgress)).toEqual({ ok: true, to: 'in_progress', party: 'leader' });
    expect(decideForParties('request_supplement', ['applicant', 'reception', 'specialist'], inProgress)).toEqual({
      ok: true,
      to: 'supplement_requested',
      party: 'specialist',
    });
  });
  it('prefers a conflict over a forbidden in the error, whatever the order', () => {
    const why = { ok: false, kind: 'conflict', reason: 'the dossier has not reached the leader step' };
    expect(decideForParties('approve', ['applicant', 'leader'], inProgress)).toEqual(why);
    expect(decideForParties('approve', ['leader', 'applicant'], inProgress)).toEqual(why);
  });
  it('keeps the first conflict when several parties conflict', () => {
    const other = SCENARIOS.inProgressSpecialistStepOther;
    expect(decideForParties('request_supplement', ['reception', 'specialist'], other)).toMatchObject({
      kind: 'conflict',
      reason: 'the desk asks for supplements only before first receiving; afterwards the specialist does',
    });
    expect(decideForParties('request_supplement', ['specialist', 'reception'], other)).toMatchObject({
      kind: 'conflict',
      reason: 'only the assigned specialist at a review step may ask for a supplement',
    });
  });
  it('is forbidden, without a party, when no party may ever act', () => {
    const d = decideForParties('approve', ['applicant', 'reception', 'specialist'], inProgress);
    expect(d).toEqual({ ok: false, kind: 'forbidden', reason: 'you may not approve' });
    expect(d.party).toBeUndefined();
    expect(decideForParties('receive', [], SCENARIOS.submittedFirstTime)).toEqual({ ok: false, kind: 'forbidden', reason: 'you may not receive' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('isOverdue (derived, never stored)', () => {
  const t = (iso: string) => new Date(`${iso}+07:00`);
  const due = t('2026-03-10T17:00:00');
  const now = t('2026-03-20T09:00:00');
  const base = { status: 'in_progress' as DossierStatus, dueAt: due, finishedAt: null as Date | null, pausedAt: null as Date | null };

  it.each([
    { name: 'no due date (never received)', d: { ...base, status: 'submitted', dueAt: null }, expected: false },
    { name: 'finished late', d: { ...base, status: 'done', finishedAt: t('2026-03-11T08:00:00') }, expected: true },
    { name: 'finished late and since returned', d: { ...base, status: 'returned', finishedAt: t('2026-03-11T08:00:00') }, expected: true },
    { name: 'finished on time', d: { ...base, status: 'done', finishedAt: t('2026-03-09T10:00:00') }, expected: false },
    { name: 'finished exactly at the due time', d: { ...base, status: 'done', finishedAt: due }, expected: false },
    { name: 'finished on time, looked at long after', d: { ...base, status: 'returned', finishedAt: t('2026-03-10T16:59:00') }, expected: false },
    { name: 'unfinished, past due', d: base, expected: true },
    { name: 'unfinished, not yet due', d: { ...base, dueAt: t('2026-03-25T17:00:00') }, expected: false },
    { name: 'paused before due, now past due', d: { ...base, status: 'supplement_requested', pausedAt: t('2026-03-05T10:00:00') }, expected: false },
    { name: 'resubmitted, still paused from before due', d: { ...base, status: 'submitted', pausedAt: t('2026-03-05T10:00:00') }, expected: false },
    { name: 'paused only after the due date', d: { ...base, status: 'supplement_requested', pausedAt: t('2026-03-12T10:00:00') }, expected: true },
    { name: 'paused exactly at the due time', d: { ...base, status: 'supplement_requested', pausedAt: due }, expected: false },
    {
      name: 'paused before due, stopped after due',
      d: { ...base, status: 'stopped', pausedAt: t('2026-03-05T10:00:00'), finishedAt: t('2026-03-15T10:00:00') },
      expected: false,
    },
    {
      name: 'paused before due, withdrawn after due',
      d: { ...base, status: 'withdrawn', pausedAt: t('2026-03-05T10:00:00'), finishedAt: t('2026-03-15T10:00:00') },
      expected: false,
    },
    {
      name: 'paused after due, withdrawn later still',
      d: { ...base, status: 'withdrawn', pausedAt: t('2026-03-12T10:00:00'), finishedAt: t('2026-03-15T10:00:00') },
      expected: true,
    },
    {
      name: 'paused after due, stopped: the pause decides even if finishedAt were earlier',
      d: { ...base, status: 'stopped', pausedAt: t('2026-03-12T10:00:00'), finishedAt: t('2026-03-09T10:00:00') },
      expected: true,
    },
    { name: 'paused after due, final without finishedAt', d: { ...base, status: 'stopped', pausedAt: t('2026-03-12T10:00:00') }, expected: true },
    { name: 'paused before due, final without finishedAt', d: { ...base, status: 'withdrawn', pausedAt: t('2026-03-05T10:00:00') }, expected: false },
    { name: 'final without finishedAt', d: { ...base, status: 'stopped' }, expected: false },
    { name: 'refused (final, no finishedAt) past due', d: { ...base, status: 'refused' }, expected: false },
  ] as { name: string; d: typeof base; expected: boolean }[])('$name → $expected', ({ d, expected }) => {
    expect(isOverdue(d, now)).toBe(expected);
  });

  it('turns overdue exactly after the due instant', () => {
    expect(isOverdue(base, due)).toBe(false);
    expect(isOverdue(base, new Date(due.getTime() + 1))).toBe(true);
  });

  it('does not depend on now while paused, even in a final state', () => {
    const stoppedWhilePaused = { ...base, status: 'stopped' as DossierStatus, pausedAt: t('2026-03-05T10:00:00'), finishedAt: t('2026-03-15T10:00:00') };
    for (const at of [t('2026-03-01T00:00:00'), now, t('2027-01-01T00:00:00')]) expect(isOverdue(stoppedWhilePaused, at)).toBe(false);
    expect(isOverdue({ ...stoppedWhilePaused, pausedAt: new Date(due.getTime() + 1) }, t('2026-03-01T00:00:00'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('national status codes (DOMAIN section 4)', () => {
  it('maps each state to the code of the Cổng DVCQG, drafts to none', () => {
    expect(NATIONAL_STATUS).toEqual({
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
    });
  });

  it('names each state as the national list does', () => {
    expect(STATUS_NAMES_VI).toEqual({
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
    });
  });

  it('treats refused, withdrawn, stopped, done and returned as final', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['done', 'refused', 'returned', 'stopped', 'withdrawn']);
  });
});

describe('extend under the extension policy (setting dossier_extension)', () => {
  const inProgress = SCENARIOS.inProgressSpecialistStepAssigned;
  const policy = (p: Partial<ExtensionFacts>): DossierFacts => ({
    ...inProgress,
    extension: { approvers: ['leader'], limitReached: false, tooEarly: false, ...p },
  });

  it('lets the configured approvers extend, and forbids everyone else', () => {
    expect(decide('extend', 'leader', policy({}))).toEqual({ ok: true, to: 'in_progress' });
    const bySpecialist = policy({ approvers: ['specialist', 'reception'] });
    expect(decide('extend', 'specialist', bySpecialist)).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('extend', 'reception', bySpecialist)).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('extend', 'leader', bySpecialist)).toEqual({ ok: false, kind: 'forbidden', reason: 'leader may not extend' });
    expect(allowedActions(['leader'], bySpecialist)).not.toContain('extend');
  });

  it('refuses once the limit is reached, and before the window', () => {
    expect(decide('extend', 'leader', policy({ limitReached: true }))).toEqual({
      ok: false,
      kind: 'conflict',
      reason: 'the dossier has been extended as many times as the policy allows',
    });
    expect(decide('extend', 'leader', policy({ tooEarly: true }))).toEqual({
      ok: false,
      kind: 'conflict',
      reason: 'the policy allows extending only a late dossier or one due soon',
    });
    // Before reception the clock is the reason for the approvers (409); others are still forbidden (403).
    const notReceived = { ...SCENARIOS.submittedFirstTime, extension: { approvers: ['specialist'] as DossierParty[], limitReached: false, tooEarly: false } };
    expect(decide('extend', 'specialist', notReceived)).toEqual({ ok: false, kind: 'conflict', reason: 'the dossier has not been received yet' });
    expect(decide('extend', 'leader', notReceived)).toEqual({ ok: false, kind: 'forbidden', reason: 'leader may not extend' });
  });
});

describe('request_payment on a dossier with nothing to pay', () => {
  const received = facts('received', { isReceived: true });
  it('is refused (409) when the procedure charges no fee, and not offered', () => {
    expect(decide('request_payment', 'reception', { ...received, hasFees: false })).toEqual({
      ok: false,
      kind: 'conflict',
      reason: 'the procedure charges no fee: there is nothing to pay',
    });
    expect(allowedActions(['reception'], { ...received, hasFees: false })).toEqual(['assign', 'withdraw']);
    expect(allowedActions(['reception'], { ...received, hasFees: true })).toEqual(['assign', 'request_payment', 'withdraw']);
  });
  it('still answers 403 to a party that may never ask, and the step rule first to a specialist', () => {
    expect(outcome(decide('request_payment', 'leader', { ...received, hasFees: false }))).toBe('forbidden');
    const otherStep = facts('in_progress', { isReceived: true, stepRole: 'leader', hasAssignee: true, hasFees: false });
    expect(reasonOf(decide('request_payment', 'specialist', otherStep))).toBe('only the assigned specialist at a review step may ask for payment');
  });
  it('is allowed when fees exist (or the fact is not given)', () => {
    expect(decide('request_payment', 'reception', { ...received, hasFees: true })).toEqual({ ok: true, to: 'payment_requested' });
    expect(decide('request_payment', 'reception', received)).toEqual({ ok: true, to: 'payment_requested' });
  });
});
