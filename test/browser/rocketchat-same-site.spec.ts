import { defineRocketChatBrowserSuite } from './rocketchat-suite.js';

// Rocket.Chat on http://localhost:A, the bridge on http://localhost:B: one site.
defineRocketChatBrowserSuite('same-site');
