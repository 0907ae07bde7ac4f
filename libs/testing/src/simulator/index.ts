export { SimInstance, answerFor, modelFromFacts, type ProbedFacts, type SimModel, type SimReplication } from './sim-instance.ts';
export { SimFleet, type FleetOptions, type SimCluster } from './fleet.ts';
export { captureTemplate, probeStatementOf, type FieldDef, type MariadbTemplate, type StatementKind } from './capture.ts';
