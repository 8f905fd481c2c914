import { AsyncLocalStorage } from 'node:async_hooks';

const budgets = new AsyncLocalStorage<{ readonly deadline: number }>();

/**
 * Runs `work` with at most `ms` in all for the Rocket.Chat calls it makes: a request that needs
 * several calls (provisioning, profile, token) answers within one bound however they fail, instead
 * of one timeout per call. Calls outside any budget only have their own timeouts.
 */
export function withCallBudget<T>(
  ms: number,
  work: () => Promise<T>,
): Promise<T> {
  return budgets.run({ deadline: Date.now() + ms }, work);
}

/** Runs work that outlives the request (a background revocation) without the request's budget. */
export function outsideCallBudget<T>(work: () => T): T {
  return budgets.exit(work);
}

/** Milliseconds left of the budget this code runs under; undefined outside any. */
export function remainingCallBudget(): number | undefined {
  const budget = budgets.getStore();
  return budget === undefined ? undefined : budget.deadline - Date.now();
}
