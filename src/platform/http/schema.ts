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

/**
 * Free text on one line: no C0 control characters (tab included), no DEL or C1
 * controls, no line or paragraph separators, no unpaired UTF-16 surrogates.
 * Ajv compiles patterns with the `u` flag, so a surrogate pair (an emoji) is
 * one code point outside these ranges, while a lone `\ud800` is refused.
 */
export const SINGLE_LINE_TEXT_PATTERN = '^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uD800-\\uDFFF]*$';

/** Free text over several lines: as `SINGLE_LINE_TEXT_PATTERN`, but tab, line feed and carriage return are allowed. */
export const MULTILINE_TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]*$';

export interface TextOptions {
  /** The field as a person names it, for the character message: "Product name". */
  label: string;
  maxLength: number;
  /** `maxLength`'s message; default "<label> must be at most <maxLength> characters". */
  maxMessage?: string;
  /**
   * Makes the field NotBlank: absent, null, empty or white space only answer this
   * message. Without it, an empty string is allowed (an optional field).
   */
  required?: string;
  /** Allows tab, line feed and carriage return (descriptions, reasons). */
  multiline?: boolean;
}

/**
 * Free text a person typed (names, descriptions, nicknames, addresses, reasons):
 * bounded, printable (see the two patterns above), and — when `required` —
 * not blank. Surrounding white space is accepted here and trimmed by the
 * service that stores the value. Wrap in `OptionalNullable` for optional fields.
 */
export function Text(options: TextOptions) {
  const { label, maxLength, required, multiline = false } = options;
  const schema = Type.String({
    maxLength,
    pattern: multiline ? MULTILINE_TEXT_PATTERN : SINGLE_LINE_TEXT_PATTERN,
    // The blank check sits in its own subschema so it can carry its own message.
    ...(required ? { allOf: [msg(Type.String({ pattern: '\\S' }), { pattern: required })] } : {}),
  });
  return msg(schema, {
    ...(required ? { required, minLength: required } : {}),
    type: required ?? `${label} must be a string`,
    maxLength: options.maxMessage ?? `${label} must be at most ${maxLength} characters`,
    pattern: multiline
      ? `${label} must not contain control characters (other than tab and line breaks) or unpaired surrogates`
      : `${label} must not contain control characters, line breaks or unpaired surrogates`,
  });
}

/** A required, non-blank, single-line string (Bean Validation's @NotBlank) with a max length. */
export function NotBlank(requiredMessage: string, maxLength = 255, maxMessage?: string, label = 'Value') {
  return Text({ label, maxLength, required: requiredMessage, maxMessage });
}

/**
 * A code the service made up (order, payment and tracking numbers): ASCII
 * letters, digits, `-` and `_`, at most 30 characters. A well-formed code that
 * names nothing is the domain's not-found error; anything else never reaches a
 * query and answers 400 C002.
 */
export function CodeParam(label: string, maxLength = 30) {
  return msg(Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+$' }), {
    required: `${label} is required`,
    minLength: `${label} is required`,
    maxLength: `${label} must be at most ${maxLength} characters`,
    pattern: `${label} may only contain letters, digits, '-' and '_'`,
  });
}

/** Numeric path parameter (a positive database id). */
export const IdParam = (name: string) =>
  Type.Object({ [name]: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/**
 * An input date-time: `2026-01-20T00:00:00` (no zone: read as UTC), `…Z`, or an
 * explicit offset; seconds and a fraction are optional.
 */
export const DATE_TIME_INPUT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|z|[+-]\\d{2}:?\\d{2})?$';

/** A required input date-time field (`DATE_TIME_INPUT_PATTERN`); `parseDateTime` turns it into a Date. */
export function DateTimeInput(requiredMessage: string, label: string) {
  return msg(Type.String({ pattern: DATE_TIME_INPUT_PATTERN, maxLength: 40 }), {
    required: requiredMessage,
    pattern: `${label} must be a date-time such as 2026-01-20T00:00:00`,
  });
}

/**
 * The one reader of input date-times (`DATE_TIME_INPUT_PATTERN`) → Date, or null
 * when the text is unreadable or names no real instant: a day or time that would
 * roll over (2026-02-30, 24:00, 23:60) is refused, not moved to the next one.
 */
export function parseDateTime(value: Date | string): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
  const date = new Date(local);
  if (
    date.getUTCFullYear() !== Number(y) ||
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d) ||
    date.getUTCHours() !== Number(h) ||
    date.getUTCMinutes() !== Number(mi) ||
    date.getUTCSeconds() !== Number(s)
  ) {
    return null;
  }
  if (zone === 'Z' || zone === 'z') return date;
  const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  if (Number(zm[2]) > 23 || Number(zm[3]) > 59) return null;
  const offsetMin = (Number(zm[2]) * 60 + Number(zm[3])) * (zm[1] === '-' ? -1 : 1);
  return new Date(local - offsetMin * 60_000);
}

/** DATETIME serialised as ISO-8601 UTC with Z. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

/** Money on the wire: a JSON number (whole won in practice). */
export const Money = Type.Number();

/**
 * A reference to a shared schema: one with an `$id`, registered once on the app
 * (`addSchema`). Validation and serialisation resolve it like the schema itself;
 * the OpenAPI document lists the schema once under `components.schemas` (by its
 * `$id`) and points at it. Typed as the schema it names. A shared schema is only
 * ever used through `Ref`: embedded whole, its `$id` would clash with the registered one.
 */
export function Ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  if (!schema.$id) throw new Error('Ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

/** `{"success":true,"data":T}` */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({ success: Type.Literal(true), data });
}

/** `{"success":true}` with `data` left out. */
export const EmptyEnvelope = Type.Object(
  { success: Type.Literal(true) },
  { $id: 'SuccessResponse', description: 'Done; no data.', examples: [{ success: true }] },
);

/** One line of an error's `details`: the field, what is wrong with it, and (when safe to echo) the value sent. */
export const FieldError = Type.Object(
  { field: Type.String(), message: Type.String(), rejectedValue: Type.Optional(Type.Unknown()) },
  { $id: 'FieldError' },
);

/** The error of an error envelope: a registry code, its message, and for bad input one line per field. */
export const ApiError = Type.Object(
  {
    code: Type.String({ description: 'The error registry code: C… for generic errors, S… for business rules' }),
    message: Type.String(),
    timestamp: Type.String({ format: 'date-time' }),
    path: Type.Optional(Type.String({ description: 'The service path, without /api/v1/shopping' })),
    details: Type.Optional(Type.Array(Ref(FieldError))),
  },
  { $id: 'ApiError' },
);

/** `{"success":false,"error":{…}}`: every failure answers this (documented, never used to serialise). */
export const ErrorEnvelope = Type.Object(
  { success: Type.Literal(false), error: Ref(ApiError) },
  {
    $id: 'ErrorResponse',
    examples: [
      {
        success: false,
        error: {
          code: 'C002',
          message: 'Invalid Input Value',
          timestamp: '2026-01-20T09:30:00.000Z',
          path: '/cart/items',
          details: [{ field: 'quantity', message: 'Quantity must be at least 1', rejectedValue: 0 }],
        },
      },
    ],
  },
);

/** The shared schemas of the envelope, registered by the app. */
export const envelopeSchemas = [EmptyEnvelope, FieldError, ApiError, ErrorEnvelope];

/** An optional free-text value as stored: trimmed, and null when nothing is left. */
export function trimmedOrNull(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}
