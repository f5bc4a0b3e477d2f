// Child process of bundle.ts: a real s3rver (the coordinator's test S3 server), in a process of its
// own so that its MD5s and disk writes do not share the event loop with the uploader it measures.
// Started with fork(); answers over IPC: {type:'ready', port}, then {type:'cpu', cpuS} on request.
//   argv: <directory> <bucket>
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fillS3rverGaps } from '../../coordinator/test/storage/s3rver-gaps.js';

interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverServer;

// s3rver is a devDependency of the coordinator and ships no types: load it from there
const require = createRequire(new URL('../../coordinator/package.json', import.meta.url));
const S3rver = require('s3rver') as S3rverConstructor;

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket || !process.send) {
  console.error('bundle-s3rver: start it with fork(), passing <directory> <bucket>');
  process.exit(2);
}

const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
// s3rver 3.7 lacks ListParts and AbortMultipartUpload, which the coordinator's S3 driver uses on multipart uploads
fillS3rverGaps(server as unknown as Parameters<typeof fillS3rverGaps>[0]);
const { port } = await server.run();
const cpu0 = process.cpuUsage();
process.send({ type: 'ready', port });

process.on('message', async (message: { type: string }) => {
  if (message.type === 'cpu') {
    const cpu = process.cpuUsage(cpu0);
    process.send!({ type: 'cpu', cpuS: (cpu.user + cpu.system) / 1e6 });
  } else if (message.type === 'close') {
    await server.close();
    process.exit(0);
  }
});
// the parent died: do not linger
process.on('disconnect', () => process.exit(0));
