import { defineLifecycleBrowserSuite } from './rocketchat-lifecycle-suite.js';

// Rocket.Chat on http://localhost:A, the bridge on http://127.0.0.1:B: partitioned cookies.
defineLifecycleBrowserSuite('cross-site');
