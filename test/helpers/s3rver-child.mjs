// A local S3-compatible server for tests, in its own process. s3rver 3.7 makes ListObjectsV2
// continuation tokens with DES, which Node's OpenSSL 3 refuses unless the legacy provider is
// enabled: the parent forks this file with execArgv ['--openssl-legacy-provider'].
import S3rver from 's3rver';

const { directory, buckets } = JSON.parse(process.argv[2] ?? '{}');
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  directory,
  silent: true,
  configureBuckets: (buckets ?? []).map((name) => ({ name })),
});
const { port } = await server.run();
process.send?.({ port });
process.on('message', async (m) => {
  if (m === 'stop') {
    await server.close();
    process.exit(0);
  }
});
