/** An error in a few words: the client's domain errors name endpoint and reason, never a secret. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message.replace(/^Rocket\.Chat [\w./:-]+: /, '');
  }
  return 'unknown error';
}
