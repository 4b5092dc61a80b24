import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A user name and password (or token) for a host. */
export interface Credentials {
  /** The user name. */
  readonly username: string;
  /** The password or token. */
  readonly password: string;
}

/** The environment variable that holds the credentials of a host: `CDK8S_FLUX_AUTH_<HOST>` (`ghcr.io` → `CDK8S_FLUX_AUTH_GHCR_IO`). */
export function credentialsVariable(host: string): string {
  return `CDK8S_FLUX_AUTH_${host.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The credentials of a host: from `CDK8S_FLUX_AUTH_<HOST>` (`user:password`), else from the docker
 * config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, its `auths` entry for the host;
 * credential helpers are not run). Never printed.
 */
export function credentialsFor(host: string, env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  const value = env[credentialsVariable(host)];
  if (value !== undefined && value.includes(':')) {
    return { username: value.slice(0, value.indexOf(':')), password: value.slice(value.indexOf(':') + 1) };
  }
  const dir = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const auths = config.auths ?? {};
  const aliases = host === 'registry-1.docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io'] : [];
  for (const key of Object.keys(auths)) {
    const keyHost = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (keyHost !== host && !aliases.includes(key) && !aliases.includes(keyHost)) continue;
    const entry = auths[key];
    if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      if (decoded.includes(':')) return { username: decoded.slice(0, decoded.indexOf(':')), password: decoded.slice(decoded.indexOf(':') + 1) };
    }
  }
  return undefined;
}

/** A Basic authorization header. */
export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
