import { defineLifecycleBrowserSuite } from './rocketchat-lifecycle-suite.js';

// Rocket.Chat on http://localhost:A, the bridge on http://localhost:B: one site.
defineLifecycleBrowserSuite('same-site');
