// A read-only Kubernetes API over a saved bundle, for kubectl: discovery, OpenAPI v3 (enough for
// kubectl's validation and `explain`), list/get/watch with namespaces, label and field selectors and
// paging, server-side Table printing, and pod logs read from the bundle on demand. Anything that would
// change the cluster is refused with a 405 metav1.Status.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundlePath } from '../bundle/layout.js';
import type { BundleEntry } from '../bundle/reader.js';
import { logGap, logKey, type BundleIndex, type ServedResource, type StoredObject } from './bundle-index.js';
import { groupVersion, type ResourceInfo } from './resources.js';
import { checkFields, fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';
import { printerFor } from './tables.js';

type Obj = Record<string, any>;

export interface ServeOptions {
  /** Address to listen on; loopback unless the user insists. */
  host?: string;
  /** 0 = a free port chosen by the system. */
  port?: number;
  /** One line per request, for --verbose. */
  log?: (line: string) => void;
}

export interface RunningApi {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

const LIST_RESOURCE_VERSION = '1';
const VERB_OF: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
}

function statusBody(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function notFound(info: ResourceInfo, name: string): HttpError {
  return new HttpError(404, 'NotFound', `${info.plural}${info.group ? `.${info.group}` : ''} "${name}" not found`, { name, group: info.group, kind: info.plural });
}

interface TableRequest {
  version: 'v1' | 'v1beta1';
}

/** Whether kubectl asked for a meta.k8s.io Table (it asks for v1, then v1beta1, then plain JSON). */
function wantsTable(accept: string | undefined): TableRequest | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      const v = params.get('v');
      if (v === 'v1' || v === 'v1beta1') return { version: v };
    }
  }
  return undefined;
}

export class BundleApi {
  private readonly byGv = new Map<string, (ServedResource & { alias?: boolean })[]>();
  private readonly openapiDocs = new Map<string, string>();

  constructor(
    private readonly index: BundleIndex,
    private readonly serverAddress: () => string,
  ) {
    for (const r of index.resources) {
      this.add(r);
      // kubectl before 1.21 describes EndpointSlices through discovery.k8s.io/v1beta1 only.
      if (r.info.group === 'discovery.k8s.io' && r.info.plural === 'endpointslices') this.add({ ...r, info: { ...r.info, version: 'v1beta1' }, alias: true });
    }
  }

  private add(r: ServedResource & { alias?: boolean }): void {
    const gv = groupVersion(r.info);
    this.byGv.set(gv, [...(this.byGv.get(gv) ?? []), r]);
  }

  /** Groups served with their versions, preferred (the bundle's own) first; core excluded. */
  private groups(): { name: string; versions: string[] }[] {
    const seen = new Map<string, string[]>();
    for (const gv of this.byGv.keys()) {
      if (!gv.includes('/')) continue;
      const [g, v] = gv.split('/') as [string, string];
      seen.set(g, [...(seen.get(g) ?? []), v]);
    }
    return [...seen].map(([name, versions]) => ({ name, versions })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private apiGroup(g: { name: string; versions: string[] }): Obj {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }

  private resourceList(gv: string): Obj | undefined {
    const rs = this.byGv.get(gv);
    if (!rs) return undefined;
    const resources: Obj[] = [];
    for (const r of rs) {
      const i = r.info;
      resources.push({
        name: i.plural,
        singularName: i.singular,
        namespaced: i.namespaced,
        kind: i.kind,
        verbs: ['get', 'list', 'watch'],
        ...(i.shortNames.length ? { shortNames: i.shortNames } : {}),
        ...(i.categories.length ? { categories: i.categories } : {}),
      });
      if (i.plural === 'pods' && i.group === '') resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
  }

  private versionInfo(): Obj {
    const v = this.index.version?.serverVersion;
    if (v && typeof v === 'object') return v;
    return { major: '1', minor: '', gitVersion: 'v0.0.0-labsnap-serve', platform: 'linux/amd64' };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://bundle');
    const segs = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      const verb = VERB_OF[method] ?? method.toLowerCase();
      throw new HttpError(
        405,
        'MethodNotAllowed',
        `labsnap serve is read-only: it shows the saved bundle ${this.index.bundle.rootName} as collected at ${this.index.bundle.manifest.collectedAt}; ${verb} ${url.pathname} is refused. Make changes on the live cluster.`,
      );
    }
    const p = segs.join('/');
    if (p === 'version') return sendJson(res, 200, this.versionInfo());
    if (p === 'healthz' || p === 'livez' || p === 'readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (p === 'api') {
      return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }] });
    }
    if (p === 'apis') {
      return sendJson(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: this.groups().map((g) => this.apiGroup(g)),
      });
    }
    if (segs[0] === 'openapi') return this.openapi(segs, res);
    let gv: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) {
      gv = segs[1]!;
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 2) {
      if (segs.length === 2) {
        const g = this.groups().find((x) => x.name === segs[1]);
        if (!g) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
        return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...this.apiGroup(g) });
      }
      gv = `${segs[1]}/${segs[2]}`;
      rest = segs.slice(3);
    } else throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      const list = this.resourceList(gv);
      if (!list) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, list);
    }
    const resources = this.byGv.get(gv) ?? [];
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    let sub: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1]!;
      [plural, name, sub] = [rest[2]!, rest[3], rest[4]];
      if (rest.length > 5) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    } else {
      [plural, name, sub] = [rest[0]!, rest[1], rest[2]];
      if (rest.length > 3) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const resource = resources.find((r) => r.info.plural === plural);
    if (!resource || (namespace !== undefined && !resource.info.namespaced)) {
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (sub !== undefined) {
      if (resource.info.plural === 'pods' && resource.info.group === '' && sub === 'log' && namespace !== undefined && name !== undefined) {
        return this.podLog(namespace, name, url.searchParams, res);
      }
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const table = wantsTable(req.headers.accept);
    if (name !== undefined) {
      const hit = resource.objects.find((o) => o.name === name && (!resource.info.namespaced || o.namespace === namespace));
      if (!hit) throw notFound(resource.info, name);
      const obj = asServed(resource, JSON.parse(hit.json) as Obj);
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') return this.holdWatch(req, res);
      return sendJson(res, 200, table ? this.table(resource, [obj], table, url.searchParams) : obj);
    }
    return this.list(resource, namespace, url.searchParams, table, req, res);
  }

  private list(resource: ServedResource & { alias?: boolean }, namespace: string | undefined, q: URLSearchParams, table: TableRequest | undefined, req: IncomingMessage, res: ServerResponse): void {
    let labels;
    let fields;
    try {
      labels = parseLabelSelector(q.get('labelSelector'));
      fields = parseFieldSelector(q.get('fieldSelector'));
      checkFields(resource.info.plural, fields);
    } catch (err) {
      if (err instanceof SelectorError) throw new HttpError(400, 'BadRequest', err.message);
      throw err;
    }
    if (q.get('watch') === 'true' || q.get('watch') === '1') return this.holdWatch(req, res);
    // Objects are parsed only when a field selector needs them or they are on the page being sent.
    const matching: { stored: StoredObject; obj?: Obj }[] = [];
    for (const o of resource.objects) {
      if (namespace !== undefined && o.namespace !== namespace) continue;
      if (!labelsMatch(labels, o.labels)) continue;
      if (fields.length > 0) {
        const obj = asServed(resource, JSON.parse(o.json) as Obj);
        if (!fieldsMatch(resource.info.plural, fields, obj)) continue;
        matching.push({ stored: o, obj });
      } else matching.push({ stored: o });
    }
    // Paging: the continue token is the offset into the (fixed) result.
    const limit = Number(q.get('limit') ?? '0');
    let start = 0;
    const token = q.get('continue');
    if (token) {
      const m = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!m) throw new HttpError(400, 'BadRequest', 'continue key is not valid: it was not issued by this server');
      start = Number(m[1]);
    }
    const end = limit > 0 ? Math.min(matching.length, start + limit) : matching.length;
    const page = matching.slice(start, end).map((m) => m.obj ?? asServed(resource, JSON.parse(m.stored.json) as Obj));
    const meta: Obj = { resourceVersion: LIST_RESOURCE_VERSION };
    if (end < matching.length) {
      meta.continue = Buffer.from(`o${end}`, 'utf8').toString('base64url');
      meta.remainingItemCount = matching.length - end;
    }
    if (table) {
      const t = this.table(resource, page, table, q);
      t.metadata = meta;
      return sendJson(res, 200, t);
    }
    return sendJson(res, 200, { kind: `${resource.info.kind}List`, apiVersion: groupVersion(resource.info), metadata: meta, items: page });
  }

  private table(resource: ServedResource, objs: Obj[], t: TableRequest, q: URLSearchParams): Obj {
    const printer = printerFor(resource.info.plural);
    const include = q.get('includeObject') ?? 'Metadata';
    const now = this.index.collectedAt;
    return {
      kind: 'Table',
      apiVersion: `meta.k8s.io/${t.version}`,
      metadata: { resourceVersion: LIST_RESOURCE_VERSION },
      columnDefinitions: printer.columns,
      rows: objs.map((o) => {
        const row: Obj = { cells: printer.cells(o, now) };
        if (include === 'Object') row.object = o;
        else if (include !== 'None') {
          const { managedFields: _drop, ...metadata } = (o.metadata ?? {}) as Obj;
          row.object = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${t.version}`, metadata };
        }
        return row;
      }),
    };
  }

  /** A saved bundle never changes: a watch stays open, silent, until kubectl hangs up. */
  private holdWatch(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    req.on('close', () => res.end());
  }

  private async podLog(namespace: string, podName: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
    const pods = this.index.resources.find((r) => r.info.plural === 'pods' && r.info.group === '')!;
    const hit = pods.objects.find((o) => o.namespace === namespace && o.name === podName);
    if (!hit) throw notFound(pods.info, podName);
    const pod = JSON.parse(hit.json) as Obj;
    const containers = [...((pod.spec?.containers ?? []) as Obj[]), ...((pod.spec?.initContainers ?? []) as Obj[]), ...((pod.spec?.ephemeralContainers ?? []) as Obj[])].map((c) => String(c.name));
    let container = q.get('container') ?? '';
    if (container === '') {
      const main = ((pod.spec?.containers ?? []) as Obj[]).map((c) => String(c.name));
      if (main.length !== 1) {
        throw new HttpError(400, 'BadRequest', `a container name must be specified for pod ${podName}, choose one of: [${main.join(' ')}]`);
      }
      container = main[0]!;
    }
    if (!containers.includes(container)) throw new HttpError(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`);
    const previous = q.get('previous') === 'true' || q.get('previous') === '1';
    const ref = this.index.logs.get(logKey(namespace, podName, container, previous));
    if (!ref) {
      let path: string | undefined;
      try {
        path = bundlePath.podLog(namespace, podName, container, previous);
      } catch {
        path = undefined;
      }
      const gap = path ? logGap(this.index.bundle.manifest.items, path) : undefined;
      const failed = gap && gap.status !== 'ok' ? `collecting it ${gap.status === 'failed' ? 'failed' : `gave ${gap.status}`}${gap.stderr ? `: ${gap.stderr.trim()}` : ''}` : undefined;
      throw new HttpError(
        400,
        'BadRequest',
        previous
          ? `previous terminated container "${container}" in pod "${podName}" not found in this bundle (${failed ?? 'none was collected: the container had not restarted'})`
          : `container "${container}" in pod "${podName}" has no log in this bundle (${failed ?? 'none was collected'})`,
      );
    }
    const timestamps = q.get('timestamps') === 'true' || q.get('timestamps') === '1';
    const tail = q.has('tailLines') ? Math.max(0, Number(q.get('tailLines'))) : undefined;
    const limitBytes = q.has('limitBytes') ? Math.max(1, Number(q.get('limitBytes'))) : undefined;
    let since: number | undefined;
    if (q.has('sinceSeconds')) since = this.index.collectedAt.getTime() - Number(q.get('sinceSeconds')) * 1000;
    if (q.has('sinceTime')) since = Date.parse(q.get('sinceTime')!);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    let written = 0;
    const write = (line: string): boolean => {
      let out = `${timestamps ? line : stripTimestamp(line)}\n`;
      if (limitBytes !== undefined) {
        if (written >= limitBytes) return false;
        if (written + Buffer.byteLength(out) > limitBytes) out = Buffer.from(out).subarray(0, limitBytes - written).toString('utf8');
      }
      written += Buffer.byteLength(out);
      res.write(out);
      return true;
    };
    const found = await readEntry(this.index, ref.path, async (entry) => {
      const ring: string[] = [];
      for await (const line of entry.lines()) {
        if (since !== undefined) {
          const t = lineTime(line);
          if (t !== undefined && t < since) continue;
        }
        if (tail !== undefined) {
          if (tail === 0) continue;
          ring.push(line);
          if (ring.length > tail) ring.shift();
        } else if (!write(line)) break;
      }
      for (const line of ring) if (!write(line)) break;
    });
    if (!found) res.write(`labsnap serve: ${ref.path} disappeared from the bundle since serve started\n`);
    res.end();
  }

  private openapi(segs: string[], res: ServerResponse): void {
    if (segs[1] !== 'v3') throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const gvs = [...this.byGv.keys()];
    const pathOf = (gv: string) => (gv.includes('/') ? `apis/${gv}` : `api/${gv}`);
    if (segs.length === 2) {
      const paths: Obj = {};
      for (const gv of gvs) paths[pathOf(gv)] = { serverRelativeURL: `/openapi/v3/${pathOf(gv)}?hash=${this.docHash(gv)}` };
      return sendJson(res, 200, { paths });
    }
    const wanted = segs.slice(2).join('/');
    const gv = gvs.find((g) => pathOf(g) === wanted);
    if (!gv) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const text = this.openapiDoc(gv);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private docHash(gv: string): string {
    return createHash('sha512').update(this.openapiDoc(gv)).digest('hex').toUpperCase().slice(0, 128);
  }

  /**
   * A small OpenAPI v3 document per group version: each kind's schema (shape only) and its paths.
   * The PATCH operation declares `fieldValidation`, so kubectl validates on the server (which then
   * refuses the write) instead of fetching the OpenAPI v2 document it would need to validate itself.
   */
  private openapiDoc(gv: string): string {
    const cached = this.openapiDocs.get(gv);
    if (cached) return cached;
    const schemas: Obj = {};
    const paths: Obj = {};
    const prefix = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
    for (const r of this.byGv.get(gv) ?? []) {
      const i = r.info;
      const gvk = { group: i.group, version: i.version, kind: i.kind };
      const schemaName = `${i.group === '' ? 'io.k8s.api.core' : i.group}.${i.version}.${i.kind}`;
      const listName = `${schemaName}List`;
      schemas[schemaName] = {
        description: `${i.kind} as saved in the bundle (labsnap serve publishes shapes, not the full schema).`,
        type: 'object',
        properties: {
          apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
          kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
          metadata: { description: "Standard object's metadata.", type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
        'x-kubernetes-preserve-unknown-fields': true,
        'x-kubernetes-group-version-kind': [gvk],
      };
      schemas[listName] = {
        type: 'object',
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, items: { type: 'array', items: { $ref: `#/components/schemas/${schemaName}` } }, metadata: { type: 'object' } },
        'x-kubernetes-group-version-kind': [{ ...gvk, kind: `${i.kind}List` }],
      };
      const ref = { $ref: `#/components/schemas/${schemaName}` };
      const ok = (schema: Obj) => ({ '200': { description: 'OK', content: { 'application/json': { schema } } } });
      const base = i.namespaced ? `${prefix}/namespaces/{namespace}/${i.plural}` : `${prefix}/${i.plural}`;
      const action = (a: string, extra: Obj = {}) => ({ 'x-kubernetes-action': a, 'x-kubernetes-group-version-kind': gvk, ...extra });
      const fieldValidation = [{ name: 'fieldValidation', in: 'query', description: 'Refused: labsnap serve is read-only.', schema: { type: 'string', uniqueItems: true } }];
      paths[base] = {
        get: { operationId: `list${i.kind}`, responses: ok({ $ref: `#/components/schemas/${listName}` }), ...action('list') },
        post: { operationId: `create${i.kind}`, parameters: fieldValidation, responses: ok(ref), ...action('post') },
      };
      paths[`${base}/{name}`] = {
        get: { operationId: `read${i.kind}`, responses: ok(ref), ...action('get') },
        put: { operationId: `replace${i.kind}`, parameters: fieldValidation, responses: ok(ref), ...action('put') },
        patch: { operationId: `patch${i.kind}`, parameters: fieldValidation, responses: ok(ref), ...action('patch') },
      };
    }
    const version = String(this.versionInfo().gitVersion ?? 'v0.0.0');
    const text = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes (labsnap serve)', version }, paths, components: { schemas } });
    this.openapiDocs.set(gv, text);
    return text;
  }
}

/** An object served under another version of its group says so (its fields are the same). */
function asServed(resource: ServedResource & { alias?: boolean }, obj: Obj): Obj {
  if (resource.alias) obj.apiVersion = groupVersion(resource.info);
  return obj;
}

const LEADING_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) /;

/** Logs are saved as `kubectl logs --timestamps` printed them; without --timestamps kubectl shows none. */
function stripTimestamp(line: string): string {
  const m = LEADING_TS.exec(line);
  return m ? line.slice(m[0].length) : line;
}

function lineTime(line: string): number | undefined {
  const m = LEADING_TS.exec(line);
  if (!m) return undefined;
  const t = Date.parse(m[0].trim());
  return Number.isNaN(t) ? undefined : t;
}

const STOP = Symbol('found');

/** Reads one entry through the bundle reader (one pass that stops at the entry). */
async function readEntry(index: BundleIndex, path: string, use: (entry: BundleEntry) => Promise<void>): Promise<boolean> {
  try {
    await index.bundle.forEachEntry(async (entry) => {
      if (entry.path !== path) return;
      await use(entry);
      throw STOP;
    });
  } catch (err) {
    if (err === STOP) return true;
    throw err;
  }
  return false;
}

export async function startApi(index: BundleIndex, options: ServeOptions = {}): Promise<RunningApi> {
  const host = options.host ?? '127.0.0.1';
  let server: Server | undefined;
  const api = new BundleApi(index, () => {
    const a = server?.address() as AddressInfo | null;
    return a ? `${host.includes(':') ? `[${host}]` : host}:${a.port}` : host;
  });
  server = createServer((req, res) => {
    const started = Date.now();
    api
      .handle(req, res)
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy(err instanceof Error ? err : undefined);
          return;
        }
        if (err instanceof HttpError) sendJson(res, err.code, statusBody(err.code, err.reason, err.message, err.details));
        else sendJson(res, 500, statusBody(500, 'InternalError', `labsnap serve: ${(err as Error).message ?? String(err)}`));
      })
      .finally(() => options.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
  });
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(options.port ?? 0, host, () => {
      server!.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server!.close(() => resolve());
        // Watches and kubectl's keep-alive connections would otherwise hold close() open.
        server!.closeAllConnections();
      }),
  };
}
