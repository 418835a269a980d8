import { type TSchema, Type } from '@sinclair/typebox';
import { fail } from './errors';
import { msg, Ref } from './schema';

export const MAX_PAGE_SIZE = 2000;
/**
 * The highest page number a list accepts. Past the last page a list is empty;
 * beyond this bound the number is refused (400 C002) instead of reaching SQL as
 * an offset no table could fill.
 */
export const MAX_PAGE = 1_000_000;

const PAGE_MESSAGES = {
  minimum: 'page must be at least 1',
  maximum: `page must be at most ${MAX_PAGE}`,
  type: 'page must be a whole number',
};

/** 1-based `page` and `size` query parameters; `page=0` is read as page 1 (Spring's one-indexed paging). */
export function PageQuery(defaultSize: number) {
  return {
    page: Type.Optional(msg(Type.Integer({ minimum: 0, maximum: MAX_PAGE, default: 1 }), PAGE_MESSAGES)),
    size: Type.Optional(
      msg(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: defaultSize }), {
        minimum: 'size must be at least 1',
        maximum: `size must be at most ${MAX_PAGE_SIZE}`,
        type: 'size must be a whole number',
      }),
    ),
  };
}

export interface PageRequest {
  page: number;
  size: number;
  offset: number;
}

/**
 * The page to read. Routes whose own query schema lets a number through
 * unbounded still get a 400 C002 here rather than a SQL offset of 1e+21.
 */
export function pageRequest(page: number | undefined, size: number | undefined, defaultSize: number): PageRequest {
  if (page !== undefined && (!Number.isSafeInteger(page) || page > MAX_PAGE)) {
    throw fail('INVALID_INPUT_VALUE', [{ field: 'page', message: PAGE_MESSAGES.maximum, rejectedValue: page }]);
  }
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE)) {
    throw fail('INVALID_INPUT_VALUE', [{ field: 'size', message: `size must be at most ${MAX_PAGE_SIZE}`, rejectedValue: size }]);
  }
  const p = Math.max(1, page ?? 1);
  const s = size ?? defaultSize;
  return { page: p, size: s, offset: (p - 1) * s };
}

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  totalElements: number;
  totalPages: number;
}

export function toPage<T>(items: T[], totalElements: number, req: PageRequest): Page<T> {
  return {
    items,
    page: req.page,
    size: req.size,
    totalElements,
    totalPages: Math.ceil(totalElements / req.size),
  };
}

/**
 * `PageResponse<T>` as a shared schema named `<item $id>Page` (register it with
 * the item's module's schemas), its items referencing the item's schema. Its
 * example is one page holding the item's example.
 */
export function PageSchema<T extends TSchema>(item: T) {
  if (!item.$id) throw new Error('PageSchema() needs an item schema with an $id');
  const examples = Array.isArray(item.examples) && item.examples.length > 0
    ? [{ items: [item.examples[0]], page: 1, size: 20, totalElements: 1, totalPages: 1 }]
    : undefined;
  return Type.Object(
    {
      items: Type.Array(Ref(item)),
      page: Type.Integer(),
      size: Type.Integer(),
      totalElements: Type.Integer(),
      totalPages: Type.Integer(),
    },
    { $id: `${item.$id}Page`, description: `One page of ${item.$id} items (page is 1-based)`, ...(examples ? { examples } : {}) },
  );
}
