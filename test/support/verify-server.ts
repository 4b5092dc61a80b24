import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A loopback server (127.0.0.1, a free port) that plays every remote `verify` reads, with content
 * made here: a Helm repository index, an OCI registry (distribution API: tags with pagination,
 * manifests, a Bearer token endpoint that wants credentials), git smart-HTTP ref advertisements,
 * and a route that never answers.
 */
export interface VerifyServer {
  readonly port: number;
  readonly host: string;
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[];
  close(): Promise<void>;
}

export const REGISTRY_USER = 'robot';
export const REGISTRY_PASSWORD = 'throwaway-test-token';
const TOKEN = 'bearer-made-by-the-test';

/** A git upload-pack ref advertisement of these refs (pkt-lines). */
export function advertisement(refs: Record<string, string>): Buffer {
  const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;
  const lines = Object.entries(refs).map(([ref, sha], i) => pkt(`${sha} ${ref}${i === 0 ? '\0multi_ack side-band-64k ofs-delta' : ''}\n`));
  return Buffer.from(`${pkt('# service=git-upload-pack\n')}0000${lines.join('')}0000`);
}

const SHA = 'a'.repeat(40);
const INDEX = `apiVersion: v1
entries:
  external-dns:
    - version: 9.0.3
    - version: 8.9.0
    - version: 6.1.0
  mariadb:
    - version: 20.4.1
    - version: 21.0.0-rc.1
`;
const APP_TAGS = ['1.0.0', '1.1.0', '1.2.0', 'latest', 'main-abc123', 'v2.0.0-rc.1'];

function route(req: http.IncomingMessage, res: http.ServerResponse, base: string): void {
  const url = new URL(req.url ?? '/', base);
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  switch (url.pathname) {
    case '/charts/index.yaml':
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(INDEX);
      return;
    case '/never/index.yaml':
    case '/v2/never/tags/list':
      return; // never answers
    // OCI chart repository: open
    case '/v2/charts/podinfo/tags/list':
      json(200, { name: 'charts/podinfo', tags: ['6.5.3', '6.5.4', '6.6.0', '6.7.1_build.1'] });
      return;
    // OCI artifact: behind a token that needs credentials
    case '/v2/private/manifests/tags/list':
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        json(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': `Bearer realm="${base}/token",service="loopback",scope="repository:private/manifests:pull"` });
        return;
      }
      json(200, { name: 'private/manifests', tags: ['v1.0.0', 'v1.1.0', 'latest'] });
      return;
    case '/token': {
      const expected = `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== expected || url.searchParams.get('scope') !== 'repository:private/manifests:pull') {
        json(401, { errors: [{ code: 'UNAUTHORIZED' }] });
        return;
      }
      json(200, { token: TOKEN });
      return;
    }
    case `/v2/private/manifests/manifests/sha256:${'b'.repeat(64)}`:
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        json(401, {}, { 'www-authenticate': `Bearer realm="${base}/token",service="loopback",scope="repository:private/manifests:pull"` });
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end();
      return;
    // an image with paginated tags
    case '/v2/org/app/tags/list': {
      const last = url.searchParams.get('last');
      const at = last ? APP_TAGS.indexOf(last) + 1 : 0;
      const page = APP_TAGS.slice(at, at + 3);
      const more = at + 3 < APP_TAGS.length;
      json(200, { name: 'org/app', tags: page }, more ? { link: `</v2/org/app/tags/list?n=3&last=${page[page.length - 1]}>; rel="next"` } : {});
      return;
    }
    case '/org/fleet.git/info/refs':
      if (url.searchParams.get('service') !== 'git-upload-pack') break;
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.end(advertisement({ HEAD: SHA, 'refs/heads/main': SHA, 'refs/heads/develop': 'c'.repeat(40), 'refs/tags/v1.2.0': 'd'.repeat(40), 'refs/tags/v1.2.0^{}': 'e'.repeat(40), 'refs/tags/v1.3.0': 'f'.repeat(40) }));
      return;
    default:
  }
  json(404, { errors: [{ code: 'NAME_UNKNOWN' }] });
}

/** Starts the server on 127.0.0.1 and a free port. */
export function startVerifyServer(): Promise<VerifyServer> {
  const requests: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  return new Promise(resolve => {
    const server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      route(req, res, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
    server.on('connection', s => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        host: `127.0.0.1:${port}`,
        requests,
        close: () => new Promise(done => {
          for (const s of sockets) s.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}

// run as a child process (for the command line, whose worker blocks the test's own event loop): print the port, serve until killed
if (require.main === module) {
  void startVerifyServer().then(s => process.stdout.write(`${s.port}\n`));
}
