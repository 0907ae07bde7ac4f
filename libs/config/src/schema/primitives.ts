/**
 * Small builders over TypeBox so every key carries its default, its bounds and a one-line
 * description in one place. The description is what `config/baton.example.yaml` documents.
 */
import { Type, type TProperties, type TSchema } from '@sinclair/typebox';

interface Bounds {
  min?: number;
  max?: number;
}

/** A closed object: unknown keys are errors; a missing section takes its defaults. */
export function section<T extends TProperties>(properties: T, description: string) {
  return Type.Object(properties, { additionalProperties: false, default: {}, description });
}

/** An integer count or duration; the unit is part of the key's name. */
export function integer(defaultValue: number, description: string, bounds: Bounds = {}) {
  return Type.Integer({
    default: defaultValue,
    minimum: bounds.min ?? 0,
    ...(bounds.max === undefined ? {} : { maximum: bounds.max }),
    description,
  });
}

export function bool(defaultValue: boolean, description: string) {
  return Type.Boolean({ default: defaultValue, description });
}

export function text(defaultValue: string, description: string, options: { minLength?: number } = {}) {
  return Type.String({ default: defaultValue, description, ...options });
}

/** A list of strings (filters, patterns, broker addresses). */
export function stringList(
  defaultValue: string[],
  description: string,
  options: { minItems?: number; examples?: string[][] } = {},
) {
  return Type.Array(Type.String({ minLength: 1 }), { default: defaultValue, description, ...options });
}

export function port(defaultValue: number, description: string) {
  return integer(defaultValue, description, { min: 1, max: 65535 });
}

/** The port of a service's Prometheus `GET /metrics` (and /health/live, /health/ready) server (127.0.0.1); 0, the default, turns it off. */
export function metricsPort(service: string) {
  return integer(0, `Port of the ${service}'s Prometheus GET /metrics server, which also answers GET /health/live and /health/ready, bound to 127.0.0.1 (0 = off).`, { max: 65535 });
}

/** An optional value without a default (absent means "not configured"). */
export function optional<T extends TSchema>(schema: T) {
  return Type.Optional(schema);
}

/** Keys whose values are secrets; `describeConfig` redacts them. */
export const secretKeyPattern = /password|token|secret/i;
