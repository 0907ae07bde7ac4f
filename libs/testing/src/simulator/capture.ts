/**
 * Reads a real server's answers to Baton's probe statements: the column definitions of each (and a
 * replica's replication row), as the fleet simulator replays them (sim-instance.ts).
 */
import mysql from 'mysql2/promise';
import type { FieldPacket } from 'mysql2';
import { dumpThreadsSql, semiSyncStatusSql, variablesSql } from '@baton/mysql';
import type { MariaDbInstance } from '../mariadb/instance.ts';

/** [name, column type, character set, column length, flags], as the server sent them. */
export type FieldDef = [string, number, number, number, number];

export interface MariadbTemplate {
  version: string;
  fields: Record<StatementKind, FieldDef[]>;
  /** A replica's SHOW ALL SLAVES STATUS row: the values of the columns the simulator does not model. */
  replicaRow: Record<string, unknown>;
  /** What SELECT … FROM baton_meta.promotion_epoch answers on a server Baton never promoted. */
  noEpochError: { errno: number; sqlState: string; message: string };
}

export type StatementKind = 'variables' | 'masterStatus' | 'slaveStatus' | 'globalStatus' | 'slaveHosts' | 'dumpThreads' | 'epoch';

export const probeStatementOf: Record<StatementKind, string> = {
  variables: variablesSql,
  masterStatus: 'SHOW MASTER STATUS',
  slaveStatus: 'SHOW ALL SLAVES STATUS',
  globalStatus: semiSyncStatusSql,
  slaveHosts: 'SHOW SLAVE HOSTS',
  dumpThreads: dumpThreadsSql,
  epoch: 'SELECT epoch FROM baton_meta.promotion_epoch WHERE id = 1',
};

const defOf = (f: FieldPacket): FieldDef => [f.name, Number(f.columnType), Number(f.characterSet), Number(f.columnLength), Number(f.flags)];

async function connect(i: MariaDbInstance): Promise<mysql.Connection> {
  return mysql.createConnection({ socketPath: i.socketPath, user: 'root', password: '' });
}

export async function captureTemplate(primary: MariaDbInstance, replica: MariaDbInstance): Promise<MariadbTemplate> {
  const p = await connect(primary);
  const r = await connect(replica);
  try {
    const fields = {} as Record<StatementKind, FieldDef[]>;
    for (const [kind, sql] of Object.entries(probeStatementOf) as Array<[StatementKind, string]>) {
      if (kind === 'epoch') {
        fields.epoch = [['epoch', 8, 63, 20, 4129]];
        continue;
      }
      const [, defs] = await r.query(sql);
      fields[kind] = ((defs ?? []) as FieldPacket[]).map(defOf);
    }
    const [rows] = (await r.query('SHOW ALL SLAVES STATUS')) as unknown as [Array<Record<string, unknown>>];
    const [version] = (await p.query('SELECT @@version AS v')) as unknown as [Array<{ v: string }>];
    let noEpochError = { errno: 1049, sqlState: '42000', message: "Unknown database 'baton_meta'" };
    await p.query(probeStatementOf.epoch).catch((e: { errno: number; sqlState: string; message: string }) => (noEpochError = { errno: e.errno, sqlState: e.sqlState, message: e.message }));
    return { version: String(version[0]?.v ?? ''), fields, replicaRow: rows[0] ?? {}, noEpochError };
  } finally {
    await Promise.allSettled([p.end(), r.end()]);
  }
}
