import type { AdminCredentials } from './admin-credentials.service.js';
import type {
  RocketChatCall,
  RocketChatHttp,
} from './rocketchat-http.service.js';
import type { JsonObject } from './rocketchat-response.js';
import { isCredentialsRefused } from './rocketchat.errors.js';

/**
 * A call with the bridge's admin credentials. A 401 means nothing was done: retry once with
 * freshly created credentials, if possible.
 */
export async function callAsAdmin(
  http: RocketChatHttp,
  admin: AdminCredentials,
  call: RocketChatCall,
): Promise<JsonObject> {
  const auth = await admin.get();
  try {
    return await http.call({ ...call, auth });
  } catch (error) {
    if (isCredentialsRefused(error) && (await admin.refused(auth))) {
      return http.call({ ...call, auth: await admin.get() });
    }
    throw error;
  }
}
