/**
 * Writes libs/testing/src/simulator/mariadb-template.json: the column definitions a real mariadbd
 * answers Baton's probe statements with (and a replica's SHOW ALL SLAVES STATUS row, whose columns
 * the simulator does not model), so the fleet simulator answers with exactly the server's columns.
 * Run after a MariaDB upgrade: `npx tsx libs/testing/scripts/capture-mariadb-template.ts`; the
 * simulator's fidelity test fails while the committed template differs from the server's.
 */
import { writeFileSync } from 'node:fs';
import { captureTemplate } from '../src/simulator/capture.ts';
import { startTopology } from '../src/index.ts';

const topology = await startTopology({ replicas: 1, semiSync: true });
try {
  const template = await captureTemplate(topology.primary, topology.replicas[0] as (typeof topology.replicas)[number]);
  writeFileSync(new URL('../src/simulator/mariadb-template.json', import.meta.url), `${JSON.stringify(template, null, 2)}\n`);
  console.log(`template of ${template.version} written`);
} finally {
  await topology.stop();
}
