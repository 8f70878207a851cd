// A small JSON Schema (2020-12) validator for exactly the keywords roster.schema.json uses.
// Any other keyword throws, so the profiles test cannot silently pass on a schema feature it does not check.

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'examples']);
const ASSERTIONS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'enum',
  'const',
  'anyOf',
  'items',
  'minItems',
  'minLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
]);

/** Error strings like `/agents/0/name: does not match pattern ...`; [] when `value` is valid. */
export function validateJsonSchema(schema: Schema, value: unknown, at = ''): string[] {
  const errors: string[] = [];
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword)) throw new Error(`unsupported JSON Schema keyword '${keyword}' at ${at || '/'}`);
  }
  const fail = (message: string) => errors.push(`${at || '/'}: ${message}`);

  if (schema.type !== undefined && !matchesType(schema.type as string | string[], value)) {
    fail(`expected type ${JSON.stringify(schema.type)}`);
    return errors;
  }
  if (schema.const !== undefined && value !== schema.const) fail(`expected const ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail(`expected one of ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((branch) => validateJsonSchema(branch as Schema, value, at).length === 0)) {
    fail('matches no anyOf branch');
  }
  if (typeof value === 'string') checkString(schema, value, fail);
  if (typeof value === 'number') checkNumber(schema, value, fail);
  if (Array.isArray(value)) errors.push(...checkArray(schema, value, at, fail));
  if (isObject(value)) errors.push(...checkObject(schema, value, at, fail));
  return errors;
}

function checkString(schema: Schema, value: string, fail: (m: string) => void): void {
  if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) fail(`shorter than ${schema.minLength}`);
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) fail(`does not match pattern ${schema.pattern}`);
}

function checkNumber(schema: Schema, value: number, fail: (m: string) => void): void {
  if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`below minimum ${schema.minimum}`);
  if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`above maximum ${schema.maximum}`);
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) fail(`not above ${schema.exclusiveMinimum}`);
}

function checkArray(schema: Schema, value: unknown[], at: string, fail: (m: string) => void): string[] {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail(`fewer than ${schema.minItems} items`);
  if (!isObject(schema.items)) return [];
  return value.flatMap((item, i) => validateJsonSchema(schema.items as Schema, item, `${at}/${i}`));
}

function checkObject(schema: Schema, value: Record<string, unknown>, at: string, fail: (m: string) => void): string[] {
  const errors: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const key of (schema.required ?? []) as string[]) if (!Object.hasOwn(value, key)) fail(`missing required '${key}'`);
  for (const [key, item] of Object.entries(value)) {
    const where = `${at}/${key}`;
    if (isObject(schema.propertyNames)) errors.push(...validateJsonSchema(schema.propertyNames, key, `${where}(key)`));
    if (Object.hasOwn(properties, key)) errors.push(...validateJsonSchema(properties[key]!, item, where));
    else if (schema.additionalProperties === false) fail(`unknown property '${key}'`);
    else if (isObject(schema.additionalProperties)) errors.push(...validateJsonSchema(schema.additionalProperties, item, where));
  }
  return errors;
}

function matchesType(type: string | string[], value: unknown): boolean {
  return (Array.isArray(type) ? type : [type]).some((t) => {
    if (t === 'integer') return Number.isInteger(value);
    if (t === 'null') return value === null;
    if (t === 'array') return Array.isArray(value);
    if (t === 'object') return isObject(value);
    return typeof value === t;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
