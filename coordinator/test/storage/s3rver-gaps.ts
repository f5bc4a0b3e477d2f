import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type S3rver from 's3rver';

/**
 * s3rver 3.7.1 implements CreateMultipartUpload, UploadPart and CompleteMultipartUpload but
 * answers ListParts and AbortMultipartUpload with MethodNotAllowed. This adds just those two,
 * read from s3rver's own upload folder (`<bucket>/<uploads>/<uploadId>/{key,N,N.md5}`), with
 * S3's answers: only finished parts (those with their .md5) are listed, an unknown upload is
 * NoSuchUpload. Everything else still goes to s3rver untouched.
 */
export function fillS3rverGaps(server: S3rver): void {
  server.middleware.unshift(async (ctx, next) => {
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    if (!uploadId || !match || !(ctx.method === 'GET' || ctx.method === 'DELETE')) return next();
    const [, bucket = '', key = ''] = match;
    const dir = join(server.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    const storedKey = /^[0-9a-f]+$/.test(uploadId) ? await readFile(join(dir, 'key'), 'utf8').catch(() => null) : null;
    if (storedKey !== decodeURIComponent(key)) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${uploadId}</UploadId></Error>`;
      return;
    }
    if (ctx.method === 'DELETE') {
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const names = await readdir(dir);
    const parts: string[] = [];
    for (const n of names.filter((name) => /^\d+$/.test(name) && names.includes(`${name}.md5`)).sort((a, b) => Number(a) - Number(b))) {
      const [s, md5] = await Promise.all([stat(join(dir, n)), readFile(join(dir, `${n}.md5`), 'utf8')]);
      parts.push(`<Part><PartNumber>${n}</PartNumber><LastModified>${s.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${s.size}</Size></Part>`);
    }
    ctx.type = 'application/xml';
    ctx.body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Bucket>${bucket}</Bucket><Key>${storedKey}</Key><UploadId>${uploadId}</UploadId><PartNumberMarker>0</PartNumberMarker>` +
      `<MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`;
  });
}
