import { createHash, createHmac } from 'node:crypto';

/**
 * Checks a SigV4 presigned S3 URL the way S3 does (canonical request, scope, HMAC chain,
 * expiry), written from the AWS documentation and independent of the SDK that signed it.
 * s3rver does not verify SigV4 signatures, so the S3 tests ask this what S3 would answer.
 */
export function presignedUrlHolds(
  request: { method: string; url: string; headers?: Record<string, string> },
  secretAccessKey: string,
  now: Date = new Date(),
): boolean {
  const url = new URL(request.url);
  const q = url.searchParams;
  const signature = q.get('X-Amz-Signature');
  const credential = q.get('X-Amz-Credential');
  const amzDate = q.get('X-Amz-Date');
  const expires = Number(q.get('X-Amz-Expires'));
  const signedHeaders = q.get('X-Amz-SignedHeaders');
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !signature || !credential || !amzDate || !signedHeaders || !Number.isInteger(expires)) return false;
  const [, date, region, service, terminator] = credential.split('/');
  if (!date || !region || !service || terminator !== 'aws4_request') return false;
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(signedAt + expires * 1000 >= now.getTime())) return false;

  const headers = new Map(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  headers.set('host', url.host);
  const names = signedHeaders.split(';');
  if (names.some((n) => !headers.has(n))) return false;
  const canonicalQuery = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    request.method,
    url.pathname,
    canonicalQuery,
    names.map((n) => `${n}:${headers.get(n)!.trim()}\n`).join(''),
    signedHeaders,
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), Buffer.from(`AWS4${secretAccessKey}`));
  return hmac(key, stringToSign).toString('hex') === signature;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
