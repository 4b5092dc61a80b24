import * as http from 'node:http';
import * as https from 'node:https';

/** A response read whole. */
export interface HttpResponse {
  /** The status code. */
  readonly status: number;
  /** The headers (lower-case names). */
  readonly headers: http.IncomingHttpHeaders;
  /** The body. */
  readonly body: Buffer;
  /** The URL that answered (after redirects). */
  readonly url: string;
}

/** Options of a request. */
export interface HttpOptions {
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Give up when the whole exchange (redirects included) takes longer, in milliseconds. */
  readonly timeoutMs: number;
  /** The method. @default 'GET' */
  readonly method?: 'GET' | 'HEAD';
  /** Refuse bodies larger than this, in bytes. @default 64 MiB */
  readonly maxBytes?: number;
}

/** Thrown when a request does not complete. */
export class HttpError extends Error {
  constructor(message: string, public readonly timedOut = false) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * GET (or HEAD) a URL with `node:http`/`node:https`, following up to five redirects, within one
 * deadline: a server that never answers, or answers too slowly, fails with "timed out after N ms".
 * Credentials in headers are not sent to another host after a redirect.
 */
export function httpRequest(url: string, options: HttpOptions): Promise<HttpResponse> {
  const deadline = Date.now() + options.timeoutMs;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const attempt = (target: string, headers: Readonly<Record<string, string>>, hops: number): Promise<HttpResponse> => new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(target);
    } catch {
      reject(new HttpError(`${target} is not a URL`));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new HttpError(`${target}: only http:// and https:// can be fetched`));
      return;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      reject(new HttpError(`${url} timed out after ${options.timeoutMs} ms`, true));
      return;
    }
    const req = client.request(parsed, { method: options.method ?? 'GET', headers: { 'user-agent': 'cdk8s-flux-verify', ...headers } }, res => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        clearTimeout(timer);
        if (hops >= 5) {
          reject(new HttpError(`${url}: too many redirects`));
          return;
        }
        const next = new URL(location, parsed);
        const sameHost = next.host === parsed.host;
        resolve(attempt(next.toString(), sameHost ? headers : withoutAuthorization(headers), hops + 1));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy(new HttpError(`${url}: the answer is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks), url: target });
      });
      res.on('error', e => {
        clearTimeout(timer);
        reject(e instanceof HttpError ? e : new HttpError(`${url}: ${e.message}`));
      });
    });
    const timer = setTimeout(() => req.destroy(new HttpError(`${url} timed out after ${options.timeoutMs} ms`, true)), remaining);
    req.on('error', e => {
      clearTimeout(timer);
      reject(e instanceof HttpError ? e : new HttpError(`${url}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    req.end();
  });
  return attempt(url, options.headers ?? {}, 0);
}

function withoutAuthorization(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
}
