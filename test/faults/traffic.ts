import { type Answer, HttpVisitor } from './http-visitor.js';

export interface TrafficOptions {
  readonly baseUrl: string;
  readonly rocketChatOrigin: string;
  readonly usernames: readonly string[];
  readonly password: string;
  /** Visitors walking through the flow at the same time. */
  readonly concurrency: number;
}

export interface Traffic {
  /** Stops starting new visits, waits for the running ones, returns every answer. */
  stop(): Promise<Answer[]>;
  readonly answers: readonly Answer[];
}

/**
 * Real HTTP traffic until stopped: each worker is a stream of new visitors (a fresh cookie jar
 * and client address each time) who open the login page, log in, let Rocket.Chat's page call the
 * API URL (sometimes twice, as a reload or a second tab does) or get the framed post-login page,
 * and half of the time log out of Rocket.Chat again (its logout script calls the bridge); the
 * others come back later, when Rocket.Chat asks the API URL again for them.
 *
 * Each worker has users of its own and alternates between them. The emulated Rocket.Chat's
 * database is on FerretDB v1, whose single-document updates are not atomic: a token `$push` for
 * a user racing a `$pullAll` for the same user can undo the pull, which real MongoDB never does.
 * Keeping one user's writes in one worker, a visit apart, keeps that artefact out of the check.
 */
export function startTraffic(options: TrafficOptions): Traffic {
  const answers: Answer[] = [];
  const state = { stopped: false };
  const worker = async (w: number): Promise<void> => {
    const own = options.usernames.filter(
      (_, i) => i % options.concurrency === w,
    );
    let previous: HttpVisitor | undefined;
    for (let visit = 0; !state.stopped; visit += 1) {
      // Rocket.Chat asking again, long after its hand-out, for the last visitor who stayed.
      if (previous) {
        answers.push(await previous.apiUrl('api url later'));
        previous = undefined;
      }
      const username = own[visit % own.length];
      const visitor = new HttpVisitor(
        options.baseUrl,
        options.rocketChatOrigin,
        `10.77.${w}.${(visit % 250) + 1}`,
      );
      answers.push(...(await visitor.login(username, options.password)));
      if (!visitor.hasSession) {
        await pause(50);
        continue;
      }
      if (visit % 4 === 1) {
        // The framed post-login page hands a fresh token over itself.
        answers.push(await visitor.postLoginPage());
      } else {
        answers.push(await visitor.apiUrl());
      }
      if (visit % 3 === 0) {
        answers.push(await visitor.apiUrl('api url again'));
      }
      if (visit % 2 === 0) {
        answers.push(await visitor.reverseLogout());
      } else {
        previous = visitor;
      }
    }
  };
  const running = Array.from({ length: options.concurrency }, (_, w) =>
    worker(w),
  );
  return {
    answers,
    async stop() {
      state.stopped = true;
      await Promise.all(running);
      return answers;
    },
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Statuses each step may answer at all, whatever the fault (anything else is a bug). */
export const ALLOWED_STATUSES: Readonly<Record<string, readonly number[]>> = {
  'login page': [200, 503],
  login: [303, 503],
  'api url': [200, 503],
  // The session still holds its token: it is handed out again, however late (Rocket.Chat 7.8+
  // asks on every page load), so never a 401.
  'api url again': [200, 503],
  'api url later': [200, 503],
  'post-login page': [200, 503],
  logout: [204, 503],
};

/** Answers whose status the step may not give, as readable lines. */
export function unexpectedAnswers(answers: readonly Answer[]): string[] {
  return answers
    .filter((a) => !(ALLOWED_STATUSES[a.step] ?? []).includes(a.status))
    .map((a) => `${a.step}: ${a.status} after ${a.ms} ms`);
}

/** Summary for failure messages and the log: status counts per step. */
export function tally(
  answers: readonly Answer[],
): Record<string, Record<number, number>> {
  const out: Record<string, Record<number, number>> = {};
  for (const a of answers) {
    out[a.step] ??= {};
    out[a.step][a.status] = (out[a.step][a.status] ?? 0) + 1;
  }
  return out;
}
