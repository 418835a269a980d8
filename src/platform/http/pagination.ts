import { type TSchema, Type } from '@sinclair/typebox';
import { msg } from './schema';

export const MAX_PAGE_SIZE = 2000;

/** 1-based `page` and `size` query parameters; `page=0` is read as page 1 (Spring's one-indexed paging). */
export function PageQuery(defaultSize: number) {
  return {
    page: Type.Optional(msg(Type.Integer({ minimum: 0, default: 1 }), { minimum: 'page must be at least 1' })),
    size: Type.Optional(
      msg(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: defaultSize }), {
        minimum: 'size must be at least 1',
        maximum: `size must be at most ${MAX_PAGE_SIZE}`,
      }),
    ),
  };
}

export interface PageRequest {
  page: number;
  size: number;
  offset: number;
}

export function pageRequest(page: number | undefined, size: number | undefined, defaultSize: number): PageRequest {
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

/** `PageResponse<T>` schema. */
export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    page: Type.Integer(),
    size: Type.Integer(),
    totalElements: Type.Integer(),
    totalPages: Type.Integer(),
  });
}
