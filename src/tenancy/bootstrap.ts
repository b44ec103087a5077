import { MaasError } from '../errors/index.js';
import type { KeyStore } from './key-store.js';

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Outcome of {@link ensureAuthConfigured}: the secret of a key made at start, if one was made. */
export interface BootstrapResult {
  readonly createdKeyId?: string;
  readonly secret?: string;
}

/**
 * Keeps a server on a non-loopback host from starting without auth. With no key in the store,
 * it creates an admin key when `bootstrapAdminKey` is set and throws otherwise.
 *
 * @throws MaasError `MAAS_ERR_CONFIG_INVALID` when the host is not loopback, no key exists and
 *   `auth.bootstrap_admin_key` is off.
 */
export async function ensureAuthConfigured(
  keys: KeyStore,
  options: { host: string; bootstrapAdminKey: boolean },
): Promise<BootstrapResult> {
  if (isLoopbackHost(options.host) || (await keys.anyKeyExists())) return {};
  if (!options.bootstrapAdminKey) {
    throw new MaasError(
      'MAAS_ERR_CONFIG_INVALID',
      `host ${options.host} is reachable from other machines and no API key exists; create one with ` +
        '"maas keys create --name admin --scopes admin,infer,train", or set auth.bootstrap_admin_key ' +
        '(MAAS_AUTH_BOOTSTRAP_ADMIN_KEY=true) to have one created and printed at start',
      { param: 'host' },
    );
  }
  const created = await keys.create({
    name: 'bootstrap-admin',
    scopes: ['admin', 'infer', 'train'],
  });
  return { createdKeyId: created.key.id, secret: created.secret };
}
