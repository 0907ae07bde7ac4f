export { GtidParseError } from './gtid-parse-error.ts';
export {
  formatGtidSet,
  gtidCount,
  gtidEquals,
  gtidIsEmpty,
  gtidIsSubset,
  gtidSubtract,
  gtidUnion,
  normalizeGtidSet,
  parseGtidSet,
  tryParseGtidSet,
  type GtidInterval,
  type GtidSet,
  type GtidSetInput,
} from './mysql-gtid-set.ts';
export {
  compareMariadbPositions,
  formatMariadbGtid,
  formatMariadbPosition,
  mariadbPositionContains,
  parseMariadbPosition,
  tryParseMariadbPosition,
  type MariadbComparison,
  type MariadbDomainComparison,
  type MariadbGtid,
  type MariadbPosition,
  type MariadbPositionInput,
  type MariadbRelation,
} from './mariadb-gtid-position.ts';
export { errantGtidsOf, mariadbErrantGtids, mysqlErrantGtids, type MariadbReplicaPositions } from './errant-transactions.ts';
