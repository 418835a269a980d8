import { type Static, Type } from '@sinclair/typebox';
import { PageSchema } from '../../platform/http/pagination';
import { DateTime, Money, msg, OptionalNullable, Ref, Text } from '../../platform/http/schema';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** The fields an admin writes, as the examples of both the product and the product request show them. */
const PRODUCT_FIELDS_EXAMPLE = {
  name: '아이폰 15 프로',
  description: '티타늄 디자인, A17 Pro 칩',
  price: 1550000,
  discountPrice: 1450000,
  stock: 120,
  imageUrl: 'https://cdn.example.com/products/42.jpg',
  category: '스마트폰',
  featured: true,
  images: ['https://cdn.example.com/products/42-1.jpg'],
};

export const ProductResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: NullableString,
  price: Money,
  discountPrice: Type.Union([Money, Type.Null()]),
  stock: Type.Integer(),
  imageUrl: NullableString,
  category: NullableString,
  featured: Type.Boolean(),
  images: Type.Array(Type.String()),
  averageRating: Type.Union([Type.Number(), Type.Null()]),
  reviewCount: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
}, {
  $id: 'Product',
  examples: [
    {
      id: 42,
      ...PRODUCT_FIELDS_EXAMPLE,
      averageRating: null,
      reviewCount: null,
      createdAt: '2026-01-20T09:30:00.000Z',
      updatedAt: '2026-01-20T09:30:00.000Z',
    },
  ],
});
export type ProductResponse = Static<typeof ProductResponse>;

export const ReviewResponse = Type.Object({
  id: Type.String(),
  title: NullableString,
  content: NullableString,
  authorId: NullableString,
  productId: Type.String(),
  rating: Type.Union([Type.Integer(), Type.Null()]),
}, { $id: 'Review' });

/** Flat, as the original: product fields and `reviews` side by side. */
export const ProductWithReviewsResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: NullableString,
  price: Money,
  stock: Type.Integer(),
  imageUrl: NullableString,
  category: NullableString,
  reviews: Type.Array(Ref(ReviewResponse)),
}, {
  $id: 'ProductWithReviews',
  examples: [
    {
      id: 42,
      name: '아이폰 15 프로',
      description: '티타늄 디자인, A17 Pro 칩',
      price: 1550000,
      stock: 120,
      imageUrl: 'https://cdn.example.com/products/42.jpg',
      category: '스마트폰',
      reviews: [{ id: 'r-1', title: '만족', content: '빠르고 가벼워요', authorId: 'u-7', productId: '42', rating: 5 }],
    },
  ],
});
export type ProductWithReviewsResponse = Static<typeof ProductWithReviewsResponse>;

export const ProductListQuery = Type.Object({
  page: Type.Optional(msg(Type.Integer({ minimum: 1, default: 1 }), { minimum: 'page must be at least 1' })),
  size: Type.Optional(
    msg(Type.Integer({ minimum: 1, maximum: 100, default: 12 }), {
      minimum: 'size must be at least 1',
      maximum: 'size must be at most 100',
    }),
  ),
  category: Type.Optional(Text({ label: 'Category', maxLength: 100 })),
});

const MAX_PRICE = 1_000_000_000_000;

/** Admin create/update (the original's AdminProductRequest). */
export const AdminProductRequest = Type.Object(
  {
    name: Text({
      label: 'Product name',
      maxLength: 200,
      required: 'Product name is required',
      maxMessage: 'Product name must be between 1 and 200 characters',
    }),
    description: OptionalNullable(
      Text({
        label: 'Product description',
        maxLength: 2000,
        multiline: true,
        maxMessage: 'Product description must not exceed 2000 characters',
      }),
    ),
    price: msg(Type.Number({ exclusiveMinimum: 0, maximum: MAX_PRICE }), {
      required: 'Product price is required',
      exclusiveMinimum: 'Product price must be greater than 0',
      maximum: 'Product price is too large',
    }),
    discountPrice: OptionalNullable(
      msg(Type.Number({ minimum: 0, maximum: MAX_PRICE }), {
        minimum: 'Discount price must be non-negative',
        maximum: 'Discount price is too large',
      }),
    ),
    stock: msg(Type.Integer({ minimum: 0, maximum: 100_000_000 }), {
      required: 'Product stock is required',
      minimum: 'Product stock must be non-negative',
      maximum: 'Product stock is too large',
    }),
    imageUrl: OptionalNullable(Text({ label: 'Image URL', maxLength: 500 })),
    category: OptionalNullable(Text({ label: 'Category', maxLength: 100 })),
    featured: OptionalNullable(Type.Boolean()),
    images: OptionalNullable(
      msg(Type.Array(Text({ label: 'Image URL', maxLength: 500, required: 'Image URL must not be blank' }), { maxItems: 20 }), {
        maxItems: 'At most 20 images',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      PRODUCT_FIELDS_EXAMPLE,
    ],
  },
);
export type AdminProductRequest = Static<typeof AdminProductRequest>;

export const StockUpdateRequest = Type.Object(
  {
    stock: msg(Type.Integer({ minimum: 0, maximum: 100_000_000 }), {
      required: 'Stock quantity is required',
      minimum: 'Stock quantity must be non-negative',
      maximum: 'Stock quantity is too large',
    }),
  },
  { additionalProperties: false, examples: [{ stock: 80 }] },
);

export const ProductPage = PageSchema(ProductResponse);

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const productSchemas = [ProductResponse, ReviewResponse, ProductWithReviewsResponse, ProductPage];

/** What other modules (cart, orders) need of a product. */
export interface ProductSnapshot {
  id: number;
  name: string;
  /** Minor units (see platform/money). */
  price: number;
}
