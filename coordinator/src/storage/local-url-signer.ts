import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a verified local storage URL allows. */
export type LocalGrant =
  | { op: 'get'; key: string; expiresAt: Date; fileName?: string }
  | { op: 'put'; key: string; expiresAt: Date; size: number }
  | { op: 'part'; key: string; expiresAt: Date; size: number; uploadId: string; partNumber: number };

export type LocalOp = LocalGrant['op'];

/** Why a URL was refused; all of them answer 403. */
export type SignatureFailure = 'unsigned' | 'bad_signature' | 'expired' | 'wrong_method';

export class SignatureRefused extends Error {
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

const PARAMS: Record<LocalOp, { required: string[]; optional: string[] }> = {
  get: { required: ['op', 'exp'], optional: ['name'] },
  put: { required: ['op', 'exp', 'size'], optional: [] },
  part: { required: ['op', 'exp', 'size', 'upload', 'part'], optional: [] },
};

const METHOD: Record<LocalOp, 'GET' | 'PUT'> = { get: 'GET', put: 'PUT', part: 'PUT' };

/**
 * HMAC-SHA256 over `METHOD\nkey\nsorted params` for the coordinator's own storage URLs:
 * `/storage/<key>?op=get|put|part&exp=<unix ms>&…&sig=<hex>`. Every parameter is signed,
 * so changing the key, the expiry, the size or the part gives a URL that is refused.
 */
export class LocalUrlSigner {
  readonly #secret: Buffer;

  constructor(secret: string | Buffer) {
    this.#secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (this.#secret.length < 16) throw new Error('The local storage signing secret must be at least 16 bytes.');
  }

  /** The query string (with `sig`) for `grant`. */
  sign(grant: LocalGrant): string {
    const params: Record<string, string> = { op: grant.op, exp: String(grant.expiresAt.getTime()) };
    if (grant.op === 'get' && grant.fileName !== undefined) params.name = grant.fileName;
    if (grant.op === 'put' || grant.op === 'part') params.size = String(grant.size);
    if (grant.op === 'part') {
      params.upload = grant.uploadId;
      params.part = String(grant.partNumber);
    }
    const query = new URLSearchParams(params);
    query.set('sig', this.#mac(METHOD[grant.op], grant.key, params));
    return query.toString();
  }

  /** The grant a request carries, or SignatureRefused. `method` HEAD counts as GET. */
  verify(method: string, key: string, search: URLSearchParams, now: Date): LocalGrant {
    const params: Record<string, string> = {};
    for (const name of new Set(search.keys())) {
      const values = search.getAll(name);
      if (values.length !== 1) throw new SignatureRefused('bad_signature', `This storage link is not valid: parameter "${name}" appears more than once.`);
      params[name] = values[0]!;
    }
    const sig = params.sig;
    delete params.sig;
    const op = params.op as LocalOp | undefined;
    if (!sig || !op || !Object.hasOwn(PARAMS, op)) {
      throw new SignatureRefused('unsigned', 'This storage link is not signed. Ask the coordinator for a new link.');
    }
    const expected = Buffer.from(this.#mac(METHOD[op], key, params), 'hex');
    const given = /^[0-9a-f]{64}$/.test(sig) ? Buffer.from(sig, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new SignatureRefused('bad_signature', 'This storage link is not valid (its signature does not match). Ask the coordinator for a new link.');
    }
    // From here on the parameters are the ones we signed.
    const allowed = PARAMS[op];
    const names = Object.keys(params);
    if (!allowed.required.every((n) => n in params) || !names.every((n) => allowed.required.includes(n) || allowed.optional.includes(n))) {
      throw new SignatureRefused('bad_signature', 'This storage link is not valid. Ask the coordinator for a new link.');
    }
    const wanted = METHOD[op];
    if (method !== wanted && !(wanted === 'GET' && method === 'HEAD')) {
      throw new SignatureRefused('wrong_method', `This storage link is for ${wanted === 'GET' ? 'GET or HEAD' : 'PUT'}, not ${method}.`);
    }
    const expiresAt = new Date(Number(params.exp));
    if (!(expiresAt.getTime() > now.getTime())) {
      throw new SignatureRefused('expired', `This storage link expired at ${expiresAt.toISOString()}. Ask the coordinator for a new link.`);
    }
    switch (op) {
      case 'get':
        return params.name === undefined ? { op, key, expiresAt } : { op, key, expiresAt, fileName: params.name };
      case 'put':
        return { op, key, expiresAt, size: Number(params.size) };
      case 'part':
        return { op, key, expiresAt, size: Number(params.size), uploadId: params.upload!, partNumber: Number(params.part) };
    }
  }

  #mac(method: string, key: string, params: Record<string, string>): string {
    const canonical = Object.keys(params)
      .sort()
      .map((n) => `${encodeURIComponent(n)}=${encodeURIComponent(params[n]!)}`)
      .join('&');
    return createHmac('sha256', this.#secret).update(`${method}\n${key}\n${canonical}`).digest('hex');
  }
}
