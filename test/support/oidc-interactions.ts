import type { IncomingMessage } from 'node:http';
import type { Provider } from 'oidc-provider';
import type Koa from 'koa';

/**
 * The test provider's own login and consent pages (devInteractions is off): a form naming the
 * account to sign in as (no password: the provider is ours), a consent form that grants what was
 * asked, and a cancel button on both that answers `error=access_denied` with a description the
 * test chooses (to check what the bridge does with a hostile one).
 */
export function interactionRoutes(
  provider: Provider,
  accounts: ReadonlySet<string>,
) {
  return async (ctx: Koa.Context, next: () => Promise<unknown>) => {
    const match = /^\/interaction\/([^/]+)(?:\/(login|confirm))?$/.exec(
      ctx.path,
    );
    if (!match) {
      await next();
      return;
    }
    const [, uid, action] = match;
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) {
      ctx.status = 400;
      ctx.body = 'interaction mismatch';
      return;
    }
    if (ctx.method === 'GET' && action === undefined) {
      ctx.type = 'html';
      ctx.body = page(uid, details.prompt.name);
      return;
    }
    if (ctx.method !== 'POST' || action === undefined) {
      ctx.status = 405;
      return;
    }
    const form = new URLSearchParams(await readBody(ctx.req));
    if (form.has('cancel')) {
      const to = await provider.interactionResult(ctx.req, ctx.res, {
        error: 'access_denied',
        error_description: form.get('description') ?? 'The person said no',
      });
      ctx.redirect(to);
      return;
    }
    if (action === 'login') {
      const accountId = form.get('account') ?? '';
      if (!accounts.has(accountId)) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = page(uid, 'login', 'No such account');
        return;
      }
      const to = await provider.interactionResult(ctx.req, ctx.res, {
        login: { accountId },
      });
      ctx.redirect(to);
      return;
    }
    const { prompt, params, session, grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({
          accountId: session!.accountId,
          clientId: params.client_id as string,
        });
    const missing = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
    };
    if (missing.missingOIDCScope) {
      grant!.addOIDCScope(missing.missingOIDCScope.join(' '));
    }
    if (missing.missingOIDCClaims) {
      grant!.addOIDCClaims(missing.missingOIDCClaims);
    }
    const to = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { consent: { grantId: await grant!.save() } },
      { mergeWithLastSubmission: true },
    );
    ctx.redirect(to);
  };
}

function page(uid: string, prompt: string, note = ''): string {
  const action = prompt === 'login' ? 'login' : 'confirm';
  const field =
    prompt === 'login' ? '<input name="account" autocomplete="username">' : '';
  return (
    `<!doctype html><title>${prompt}</title><p>${note}</p>` +
    `<form method="post" action="/interaction/${uid}/${action}">${field}` +
    `<button name="${action}">${action === 'login' ? 'Sign in' : 'Allow'}</button>` +
    `<button name="cancel" value="1">Cancel</button></form>`
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
