/**
 * Prober settings from the configuration sections (structurally typed: this library does not
 * depend on @baton/config). Both timeouts are capped at 90% of the poll interval so a hung
 * server's probe fails before the next one is due; with the defaults (poll 1000 ms, connect
 * 1000 ms, probe 500 ms) the connect timeout becomes 900 ms.
 */
import type { LocationSettings } from './location.ts';
import type { ProbeCredentials } from './instance-prober.ts';

export interface ProbeConfigSections {
  mysql: { readonly user: string; readonly password: string; readonly connectTimeoutMs: number; readonly probeTimeoutMs: number };
  detector: { readonly pollIntervalMs: number };
  recovery: {
    readonly DataCenterPattern: string;
    readonly RegionPattern: string;
    readonly PhysicalEnvironmentPattern: string;
    readonly DetectDataCenterQuery: string;
    readonly DetectRegionQuery: string;
    readonly DetectPhysicalEnvironmentQuery: string;
  };
}

export interface ProberSettings {
  credentials: ProbeCredentials;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  pollIntervalMs: number;
  location: LocationSettings;
}

export function proberSettingsFromConfig(config: ProbeConfigSections): ProberSettings {
  const pollIntervalMs = config.detector.pollIntervalMs;
  const ceiling = Math.max(1, Math.floor(pollIntervalMs * 0.9));
  const r = config.recovery;
  return {
    credentials: { user: config.mysql.user, password: config.mysql.password },
    connectTimeoutMs: Math.min(config.mysql.connectTimeoutMs, ceiling),
    queryTimeoutMs: Math.min(config.mysql.probeTimeoutMs, ceiling),
    pollIntervalMs,
    location: {
      dataCenterPattern: r.DataCenterPattern,
      regionPattern: r.RegionPattern,
      physicalEnvironmentPattern: r.PhysicalEnvironmentPattern,
      detectDataCenterQuery: r.DetectDataCenterQuery,
      detectRegionQuery: r.DetectRegionQuery,
      detectPhysicalEnvironmentQuery: r.DetectPhysicalEnvironmentQuery,
    },
  };
}
