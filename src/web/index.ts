export { FRAMEABLE_ROUTE_CONFIG, Frameable } from './frame-policy.js';
export {
  FALLBACK_CONTENT_SECURITY_POLICY,
  logoImageSources,
  pageContentSecurityPolicy,
} from './content-security-policy.js';
export { PageResponder, type PageOptions } from './page-responder.js';
export { UNAVAILABLE_PAGE, acceptsHtml } from './unavailable-page.js';
export { WebModule } from './web.module.js';
export { configureWebPlatform } from './web-platform.js';
