import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import Handlebars from 'handlebars';
import { InjectConfig, type AppConfig } from '../config/index.js';
import { interpolate, type Messages } from './locale-catalog.js';
import { BUILTIN_VIEWS_DIR } from './web-paths.js';

/** Pages the bridge renders; each is checked (compiled) at start-up, the operator's included. */
export const PAGES = [
  'login',
  'continue',
  'logged-out',
  'cookies-blocked',
  'error',
  // The Rocket.Chat module's post-login page, rendered through this renderer too.
  'rocketchat-redirect',
] as const;

const LAYOUT = 'layouts/main.hbs';
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Per-render data every template and partial sees (not part of the page's context). */
export interface RenderData {
  readonly messages: Messages;
}

/**
 * Handlebars views: the operator's VIEWS_DIR is searched first, file by file (layout, each partial,
 * each page), then the built-in `views/`. With VIEWS_CACHE on, templates compile once; off, every
 * render re-reads its files, so template edits show without a restart.
 */
@Injectable()
export class ViewRenderer implements OnModuleInit {
  private readonly logger = new Logger(ViewRenderer.name);
  private readonly dirs: readonly string[];
  private cached: ViewSet | undefined;

  constructor(@InjectConfig('app') private readonly app: AppConfig) {
    this.dirs = app.views.dir
      ? [app.views.dir, BUILTIN_VIEWS_DIR]
      : [BUILTIN_VIEWS_DIR];
  }

  /** Fails the start-up on a template that does not compile, rather than the first visitor. */
  onModuleInit(): void {
    const set = new ViewSet(this.dirs);
    for (const page of PAGES) {
      set.template(`${page}.hbs`);
    }
    set.template(LAYOUT);
    if (this.app.views.cache) {
      this.cached = set;
    }
    if (this.app.brand.isDefault) {
      this.logger.log(
        'The login page uses the default branding: set BRAND_TITLE, BRAND_LOGO_URL, ' +
          'BRAND_PRIMARY_COLOR and BRAND_BACKGROUND_COLOR, or VIEWS_DIR for your own templates',
      );
    } else if (this.app.views.dir) {
      this.logger.log(
        `Templates from ${this.app.views.dir} override the built-in views`,
      );
    }
  }

  /** Whether compiled templates are kept (VIEWS_CACHE); callers may then keep rendered output. */
  get caching(): boolean {
    return this.app.views.cache;
  }

  /** `page` inside the layout, as one HTML document. */
  render(
    page: string,
    context: Record<string, unknown>,
    data: RenderData,
  ): string {
    if (!TEMPLATE_NAME.test(page)) {
      throw new Error(`Invalid template name ${JSON.stringify(page)}`);
    }
    const set = this.cached ?? new ViewSet(this.dirs);
    const body = set.template(`${page}.hbs`)(context, { data });
    return set.template(LAYOUT)({ ...context, body }, { data });
  }
}

/** One consistent set of compiled templates and partials. */
class ViewSet {
  private readonly env = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  constructor(private readonly dirs: readonly string[]) {
    this.env.registerHelper('t', translate);
    this.env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    // Built-in partials first, so the operator's (registered later) replace them by name.
    for (const dir of dirs.toReversed()) {
      const partials = join(dir, 'partials');
      if (!existsSync(partials)) {
        continue;
      }
      for (const file of readdirSync(partials)) {
        if (file.endsWith('.hbs')) {
          this.env.registerPartial(
            basename(file, '.hbs'),
            this.env.compile(readFileSync(join(partials, file), 'utf8')),
          );
        }
      }
    }
  }

  template(relative: string): Handlebars.TemplateDelegate {
    let template = this.compiled.get(relative);
    if (!template) {
      const file = this.dirs
        .map((dir) => join(dir, relative))
        .find((path) => existsSync(path));
      if (!file) {
        throw new Error(`Template ${relative} not found`);
      }
      try {
        template = this.env.compile(readFileSync(file, 'utf8'));
        // Handlebars compiles lazily: run once so a syntax error surfaces here, naming the file.
        template({}, { data: { messages: {} } });
      } catch (error) {
        throw new Error(
          `Template ${file} cannot be used: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      this.compiled.set(relative, template);
    }
    return template;
  }
}

/** `{{t "login.heading"}}`, `{{t "continue.submit" name=displayName}}`; escaped by Handlebars. */
function translate(key: unknown, options: Handlebars.HelperOptions): string {
  const messages =
    (options.data as Partial<RenderData> | undefined)?.messages ?? {};
  const text = typeof key === 'string' ? (messages[key] ?? key) : '';
  return interpolate(text, options.hash as Record<string, unknown>);
}
