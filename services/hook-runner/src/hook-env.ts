/**
 * The environment a hook process gets: the runner's own environment minus anything that looks
 * like a secret, plus the hook's values (BATON_* and ORC_*), which win over inherited names.
 * Values are never logged; only the names of dropped variables could be, and they are not either.
 */

/**
 * Names that look like credentials: *PASSWORD*, *PASSWD*, *TOKEN*, *SECRET*, *CREDENTIAL*,
 * *API_KEY*, *PRIVATE_KEY* and MYSQL_PWD-style *_PWD (not PWD/OLDPWD, the working directories).
 */
const secretName = /PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIAL|API_?KEY|PRIVATE_?KEY|.+_PWD$/i;
/** Baton's own configuration overrides that carry credentials inside a URL (backend DSN, Redis URL). */
const batonUrl = /^BATON__.*(DSN|URL)/i;

export function isSecretName(name: string): boolean {
  return secretName.test(name) || batonUrl.test(name);
}

/** Inherited variables without secrets, then `values` on top. Undefined entries are dropped. */
export function buildHookEnv(
  inherited: Readonly<Record<string, string | undefined>>,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value === undefined || isSecretName(name) || value.includes('\0')) continue;
    env[name] = value;
  }
  return Object.assign(env, values);
}
