import * as semver from 'semver';
import { parse } from 'yaml';
import { basicAuthorization, credentialsFor, credentialsVariable } from './credentials';
import { HttpError, httpRequest, HttpResponse } from './http';
import { CheckOutcome, GitTarget, HelmChartTarget, ImageTarget, OciTarget, VerifyTarget } from './target';

/** How checks reach the outside world. */
export interface CheckContext {
  /** Timeout of each request (and of `git ls-remote`), in milliseconds. */
  readonly timeoutMs: number;
  /** Environment variables (credentials). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Lists the refs of an SSH repository (`git ls-remote`); injectable for tests. */
  readonly lsRemote: (url: string, timeoutMs: number) => Promise<string[]>;
}

/** Checks one target. Never throws: a network failure is an `unreachable` outcome. */
export async function checkTarget(target: VerifyTarget, ctx: CheckContext): Promise<CheckOutcome> {
  try {
    switch (target.kind) {
      case 'helm-chart': return await checkHelmChart(target, ctx);
      case 'oci': return await checkOci(target, ctx);
      case 'git': return await checkGit(target, ctx);
      case 'image': return await checkImage(target, ctx);
    }
  } catch (e) {
    return { status: 'unreachable', message: `could not be checked: ${(e as Error).message}` };
  }
}

/** The newest versions first (semver, loose), then what is not semver. */
function newestFirst(versions: readonly string[]): string[] {
  const valid = versions.filter(v => semver.valid(v, { loose: true }) !== null);
  return valid.sort((a, b) => semver.rcompare(a, b, { loose: true }));
}

/** The best version of a list that a version or range selects (Flux: `*` or empty takes the newest). */
export function selectVersion(versions: readonly string[], wanted: string): string | undefined {
  if (versions.includes(wanted)) return wanted;
  const range = wanted === '' ? '*' : wanted;
  if (semver.validRange(range, { loose: true }) === null) return undefined;
  return semver.maxSatisfying(versions.filter(v => semver.valid(v, { loose: true }) !== null), range, { loose: true }) ?? undefined;
}

async function checkHelmChart(t: HelmChartTarget, ctx: CheckContext): Promise<CheckOutcome> {
  let versions: string[];
  if (t.url.startsWith('oci://')) {
    const name = `${t.url.slice('oci://'.length).replace(/\/+$/, '')}/${t.chart}`;
    // Helm stores a version's '+' as '_' in OCI tags
    versions = (await registryTags(name, t.insecure, ctx)).map(tag => tag.replace(/_/g, '+'));
  } else {
    const indexUrl = `${t.url.replace(/\/+$/, '')}/index.yaml`;
    const res = await get(indexUrl, ctx);
    if (res.status !== 200) return { status: res.status === 404 ? 'missing' : 'unreachable', message: `${indexUrl} answered HTTP ${res.status}${authHint(res, indexUrl, ctx)}` };
    let index: { entries?: Record<string, { version?: string }[]> };
    try {
      index = parse(res.body.toString('utf8')) as typeof index;
    } catch (e) {
      return { status: 'unreachable', message: `${indexUrl} is not a Helm repository index: ${(e as Error).message}` };
    }
    const entries = index?.entries?.[t.chart];
    if (!Array.isArray(entries) || entries.length === 0) {
      const charts = Object.keys(index?.entries ?? {});
      return { status: 'missing', message: `chart ${t.chart} is not in ${t.url} (its index has ${charts.length} charts${charts.length > 0 ? `, e.g. ${charts.slice(0, 5).join(', ')}` : ''})` };
    }
    versions = entries.map(e => String(e.version));
  }
  if (versions.length === 0) return { status: 'missing', message: `chart ${t.chart} has no version in ${t.url}` };
  const found = selectVersion(versions, t.version);
  const newest = newestFirst(versions)[0] ?? versions[0];
  if (found) return { status: 'ok', message: `${t.chart} ${found} in ${t.url}` };
  return { status: 'missing', message: `no version of ${t.chart} matches ${t.version} in ${t.url} (newest ${newest})` };
}

async function checkOci(t: OciTarget, ctx: CheckContext): Promise<CheckOutcome> {
  const name = t.url.slice('oci://'.length).replace(/\/+$/, '');
  if (t.ref.digest) {
    const res = await registry(name, `manifests/${t.ref.digest}`, t.insecure, ctx, 'HEAD');
    return res.status === 200
      ? { status: 'ok', message: `${t.url}@${t.ref.digest} exists` }
      : { status: res.status === 404 ? 'missing' : 'unreachable', message: `${t.url}@${t.ref.digest}: the registry answered HTTP ${res.status}` };
  }
  const tags = await registryTags(name, t.insecure, ctx);
  const newest = newestFirst(tags)[0] ?? tags[tags.length - 1];
  if (t.ref.semver !== undefined) {
    let candidates = tags;
    if (t.ref.semverFilter) {
      const re = new RegExp(t.ref.semverFilter);
      candidates = candidates.filter(tag => re.test(tag));
    }
    const found = selectVersion(candidates, t.ref.semver);
    return found
      ? { status: 'ok', message: `${t.url}:${found}` }
      : { status: 'missing', message: `no tag of ${t.url} matches ${t.ref.semver}${t.ref.semverFilter ? ` (filter ${t.ref.semverFilter})` : ''} (newest ${newest ?? 'none: the repository has no tags'})` };
  }
  const tag = t.ref.tag ?? 'latest';
  return tags.includes(tag)
    ? { status: 'ok', message: `${t.url}:${tag}` }
    : { status: 'missing', message: `tag ${tag} of ${t.url} does not exist (${tags.length} tags${newest ? `, newest ${newest}` : ''})` };
}

async function checkGit(t: GitTarget, ctx: CheckContext): Promise<CheckOutcome> {
  const refs = /^ssh:\/\//.test(t.url) ? await ctx.lsRemote(t.url, ctx.timeoutMs) : await smartHttpRefs(t.url, ctx);
  const { ref } = t;
  if (ref.commit && !ref.branch && !ref.tag && !ref.name) {
    return refs.some(r => r.startsWith(ref.commit!))
      ? { status: 'ok', message: `${t.url} has a ref at ${ref.commit}` }
      : { status: 'skipped', message: `${t.url}: commit ${ref.commit} is not the tip of any ref; a ref advertisement cannot tell whether it exists` };
  }
  const names = refs.map(r => r.slice(r.indexOf(' ') + 1));
  if (ref.semver !== undefined) {
    const tags = names.filter(n => n.startsWith('refs/tags/') && !n.endsWith('^{}')).map(n => n.slice('refs/tags/'.length));
    const found = selectVersion(tags, ref.semver);
    return found
      ? { status: 'ok', message: `${t.url} tag ${found}` }
      : { status: 'missing', message: `no tag of ${t.url} matches ${ref.semver} (newest ${newestFirst(tags)[0] ?? 'none: it has no semver tag'})` };
  }
  const wanted = ref.name ?? (ref.tag !== undefined ? `refs/tags/${ref.tag}` : `refs/heads/${ref.branch ?? 'master'}`);
  if (names.includes(wanted)) return { status: 'ok', message: `${t.url} ${wanted}` };
  const branches = names.filter(n => n.startsWith('refs/heads/')).map(n => n.slice('refs/heads/'.length));
  return { status: 'missing', message: `${t.url} has no ${wanted}${wanted.startsWith('refs/heads/') ? ` (branches: ${branches.slice(0, 8).join(', ') || 'none'})` : ''}` };
}

/** The refs of a repository over git's smart HTTP protocol: `<sha> <ref>` lines of the upload-pack advertisement. */
export async function smartHttpRefs(url: string, ctx: CheckContext): Promise<string[]> {
  const base = url.replace(/\/+$/, '');
  const res = await get(`${base}/info/refs?service=git-upload-pack`, ctx);
  if (res.status !== 200) throw new HttpError(`${base}/info/refs answered HTTP ${res.status}${authHint(res, base, ctx)}`);
  return parsePktLines(res.body);
}

/** Parses a git upload-pack ref advertisement (pkt-lines). */
export function parsePktLines(body: Buffer): string[] {
  const refs: string[] = [];
  let at = 0;
  while (at + 4 <= body.length) {
    const len = parseInt(body.subarray(at, at + 4).toString('ascii'), 16);
    if (Number.isNaN(len)) throw new HttpError('the answer is not a git ref advertisement');
    if (len === 0) {
      at += 4;
      continue;
    }
    const line = body.subarray(at + 4, at + len).toString('utf8').replace(/\n$/, '');
    at += len;
    if (line.startsWith('#')) continue;
    const ref = line.split('\0')[0];
    if (/^[0-9a-f]{40,64} /.test(ref)) refs.push(ref);
  }
  return refs;
}

async function checkImage(t: ImageTarget, ctx: CheckContext): Promise<CheckOutcome> {
  const name = imageRepositoryName(t.image);
  const tags = await registryTags(name, t.insecure, ctx);
  let values = tags.map(tag => ({ tag, value: tag }));
  if (t.filter) {
    const re = new RegExp(t.filter.pattern.replace(/\(\?P</g, '(?<'));
    values = values.flatMap(v => {
      const m = re.exec(v.tag);
      if (!m) return [];
      const value = t.filter!.extract ? t.filter!.extract.replace(/\$\{?(\w+)\}?/g, (_, g: string) => m.groups?.[g] ?? m[Number(g)] ?? '') : v.tag;
      return [{ tag: v.tag, value }];
    });
  }
  const filtered = t.filter ? ` that pass filterTags ${t.filter.pattern}` : '';
  if (t.policy.semver !== undefined) {
    const found = selectVersion(values.map(v => v.value), t.policy.semver);
    const newest = newestFirst(values.map(v => v.value))[0] ?? newestFirst(tags)[0];
    return found
      ? { status: 'ok', message: `${t.image}: ${found}` }
      : { status: 'missing', message: `no tag of ${t.image}${filtered} matches ${t.policy.semver} (${tags.length} tags; newest ${newest ?? 'none'})` };
  }
  const usable = t.policy.numerical !== undefined ? values.filter(v => v.value !== '' && !Number.isNaN(Number(v.value))) : values;
  return usable.length > 0
    ? { status: 'ok', message: `${t.image}: ${usable.length} tags${filtered}` }
    : { status: 'missing', message: `no tag of ${t.image}${filtered}${t.policy.numerical !== undefined ? ' is a number' : ''} (${tags.length} tags)` };
}

/** `host/name` of an image as a registry serves it (`nginx` → `registry-1.docker.io/library/nginx`). */
export function imageRepositoryName(image: string): string {
  const first = image.split('/')[0];
  const hasHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost) return image.replace(/^docker\.io\//, 'registry-1.docker.io/').replace(/^index\.docker\.io\//, 'registry-1.docker.io/');
  return `registry-1.docker.io/${image.includes('/') ? image : `library/${image}`}`;
}

/** Every tag of a repository (`host/name`), following the distribution API's pagination. */
export async function registryTags(name: string, insecure: boolean, ctx: CheckContext): Promise<string[]> {
  const tags: string[] = [];
  let path = 'tags/list?n=1000';
  for (let page = 0; page < 50 && path; page++) {
    const res = await registry(name, path, insecure, ctx);
    if (res.status === 404) throw new HttpError(`${name} does not exist in its registry (HTTP 404)`);
    if (res.status !== 200) throw new HttpError(`${name}: the registry answered HTTP ${res.status}${authHint(res, `https://${name}`, ctx)}`);
    const body = JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null };
    tags.push(...body.tags ?? []);
    const link = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''));
    path = link ? link[1].replace(/^.*\/v2\/.*?\/(tags\/list)/, '$1') : '';
  }
  return tags;
}

/** A request to the distribution API of `host/name`, with the registry's token dance (Bearer) or Basic auth. */
async function registry(name: string, path: string, insecure: boolean, ctx: CheckContext, method: 'GET' | 'HEAD' = 'GET'): Promise<HttpResponse> {
  const host = name.split('/')[0];
  const repository = name.slice(host.length + 1);
  const url = `${insecure ? 'http' : 'https'}://${host}/v2/${repository}/${path}`;
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json';
  const first = await httpRequest(url, { timeoutMs: ctx.timeoutMs, method, headers: { accept } });
  if (first.status !== 401) return first;
  const challenge = String(first.headers['www-authenticate'] ?? '');
  const creds = credentialsFor(host, ctx.env);
  if (/^basic/i.test(challenge)) {
    return creds ? httpRequest(url, { timeoutMs: ctx.timeoutMs, method, headers: { accept, authorization: basicAuthorization(creds) } }) : first;
  }
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map(m => [m[1], m[2]]));
  if (!params.realm) return first;
  const tokenUrl = new URL(params.realm);
  if (params.service) tokenUrl.searchParams.set('service', params.service);
  tokenUrl.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
  const tokenRes = await httpRequest(tokenUrl.toString(), { timeoutMs: ctx.timeoutMs, headers: creds ? { authorization: basicAuthorization(creds) } : {} });
  if (tokenRes.status !== 200) return first;
  const token = (JSON.parse(tokenRes.body.toString('utf8')) as { token?: string; access_token?: string });
  const bearer = token.token ?? token.access_token;
  if (!bearer) return first;
  return httpRequest(url, { timeoutMs: ctx.timeoutMs, method, headers: { accept, authorization: `Bearer ${bearer}` } });
}

/** A GET with the host's credentials, when the environment or docker config has them. */
async function get(url: string, ctx: CheckContext): Promise<HttpResponse> {
  const host = new URL(url).host;
  const creds = credentialsFor(host, ctx.env);
  return httpRequest(url, { timeoutMs: ctx.timeoutMs, headers: creds ? { authorization: basicAuthorization(creds) } : {} });
}

function authHint(res: HttpResponse, url: string, ctx: CheckContext): string {
  if (res.status !== 401 && res.status !== 403) return '';
  const host = new URL(url).host;
  return credentialsFor(host, ctx.env)
    ? ' (the credentials given for it were refused)'
    : ` (it needs credentials: set ${credentialsVariable(host)}=user:password, or log in with docker login ${host})`;
}
