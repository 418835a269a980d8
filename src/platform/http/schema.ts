import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

/**
 * Schema helpers shared by every module's schemas.ts.
 *
 * Validation messages live on the field's schema under `x-messages`, keyed by
 * the failing keyword (`required` also answers a null or wrongly-typed value),
 * so the error handler can give the contract's exact `details[].message`.
 */
export type Messages = Partial<
  Record<'required' | 'type' | 'minimum' | 'exclusiveMinimum' | 'maximum' | 'minLength' | 'maxLength' | 'pattern' | 'enum' | 'format' | 'minItems' | 'maxItems', string>
>;

export function msg<T extends TSchema>(schema: T, messages: Messages): T {
  return { ...schema, 'x-messages': messages };
}

/**
 * T or null, as a `type: [T, "null"]` schema rather than anyOf: ajv's type
 * coercion would otherwise turn a null into 0 or "" before trying the null branch.
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const type = (schema as { type?: string | string[] }).type;
  if (typeof type !== 'string') throw new Error('Nullable() needs a schema with a single type');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
}

/** An optional body field: absent or null both mean "not given" (the storefront sends nulls). */
export function OptionalNullable<T extends TSchema>(schema: T) {
  return Type.Optional(Nullable(schema));
}

/** A required, non-blank string (Bean Validation's @NotBlank) with a max length. */
export function NotBlank(requiredMessage: string, maxLength?: number, maxMessage?: string) {
  return msg(Type.String({ pattern: '\\S', ...(maxLength ? { maxLength } : {}) }), {
    required: requiredMessage,
    pattern: requiredMessage,
    ...(maxMessage ? { maxLength: maxMessage } : {}),
  });
}

/** Numeric path parameter (a positive database id). */
export const IdParam = (name: string) =>
  Type.Object({ [name]: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/** DATETIME serialised as ISO-8601 UTC with Z. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

/** Money on the wire: a JSON number (whole won in practice). */
export const Money = Type.Number();

/** `{"success":true,"data":T}` */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({ success: Type.Literal(true), data });
}

/** `{"success":true}` with `data` left out. */
export const EmptyEnvelope = Type.Object({ success: Type.Literal(true) });

/** Response schema for an error envelope, for the OpenAPI docs. */
export const ErrorEnvelope = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    timestamp: Type.String(),
    path: Type.Optional(Type.String()),
    details: Type.Optional(
      Type.Array(
        Type.Object({ field: Type.String(), message: Type.String(), rejectedValue: Type.Optional(Type.Unknown()) }),
      ),
    ),
  }),
});
