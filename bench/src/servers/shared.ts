/**
 * What every benchmark server shares: the keys it reads (from the file the runner generated), the
 * two routes every target serves (`/health` and the guarded `/v2/apps/app_a`), and the start-up
 * line the runner waits for.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';

export interface BenchKey {
  id: string;
  secret: string;
  entity: { type: string; id: string };
}

export function loadKeys(): Map<string, BenchKey> {
  const file = process.env.KEYSCOPE_KEYS_FILE;
  if (!file) throw new Error('KEYSCOPE_KEYS_FILE is required');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { keys: BenchKey[] };
  return new Map(doc.keys.map((key) => [key.id, key]));
}

export const HEALTH_BODY = { ok: true };
export const APP_BODY = { app: { id: 'app_a' } };

export function announce(server: Server): void {
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    console.log(`listening on http://127.0.0.1:${port}`);
  });
  // A clean exit, so that `node --cpu-prof` writes its profile.
  process.once('SIGTERM', () => process.exit(0));
}
