/**
 * Route parameter schemas (TypeBox): fastify validates them before a handler runs (a bad one is a
 * 400 naming the field) and @fastify/swagger publishes them in the OpenAPI document.
 */
import { Type, type TProperties } from '@sinclair/typebox';
import { clusterAliasPattern } from '@baton/config';

export const Host = Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._:%-]+$', description: 'host name or address' });
export const Port = Type.Integer({ minimum: 1, maximum: 65535, description: 'port' });
export const ClusterHint = Type.String({ minLength: 1, maxLength: 255, description: 'cluster id, cluster alias, or host:port of any member' });
export const Page = Type.Integer({ minimum: 0, description: 'page number, 20 entries a page, newest first' });
export const RowId = Type.Integer({ minimum: 1, description: 'numeric id' });
export const Uid = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$', description: 'recovery or detection uid' });
export const registrablePromotionRules = ['prefer', 'neutral', 'prefer_not', 'must_not'] as const;
export const PromotionRuleParam = Type.Unsafe<(typeof registrablePromotionRules)[number]>(
  Type.String({ enum: [...registrablePromotionRules], description: 'prefer, neutral, prefer_not or must_not ("must" cannot be registered, as in orchestrator)' }),
);
export const Duration = Type.String({ pattern: '^[0-9]+[smhd]?$', description: 'seconds, or a number with s, m, h or d (orchestrator SimpleTimeToSeconds); default 10m' });
export const Text = (description: string) => Type.String({ minLength: 1, maxLength: 1024, description });

export const params = <P extends TProperties>(props: P) => Type.Object(props, { additionalProperties: false });

export const InstanceParams = params({ host: Host, port: Port });
export const HintParams = params({ clusterHint: ClusterHint });
export const CandidateParams = params({ host: Host, port: Port, candidateHost: Host, candidatePort: Port });
export const DesignatedParams = params({ clusterHint: ClusterHint, designatedHost: Host, designatedPort: Port });
export const PageParams = params({ page: Page });

export const CommentQuery = Type.Object({ comment: Text('why; required, as orchestrator ?comment=') });
export const RecoverQuery = Type.Object({ skipProcesses: Type.Optional(Type.Boolean({ description: 'skip the hooks (as recover-lite)' })) });
export const AuditQuery = Type.Object({ unacknowledged: Type.Optional(Type.Boolean({ description: 'only unacknowledged recoveries' })) });
/** A new cluster's alias: the safe set of @baton/config (letters, digits, . _ - :), as for config seeds. */
export const ClusterAlias = Type.String({ pattern: clusterAliasPattern, description: 'cluster alias (and stable id) for a new cluster: letters, digits and . _ - : (1 to 128)' });
export const DiscoverQuery = Type.Object({ alias: Type.Optional(ClusterAlias) });
