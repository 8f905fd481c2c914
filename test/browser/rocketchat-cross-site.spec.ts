import { defineRocketChatBrowserSuite } from './rocketchat-suite.js';

// Rocket.Chat on http://localhost:A, the bridge on http://127.0.0.1:B: partitioned cookies.
defineRocketChatBrowserSuite('cross-site');
