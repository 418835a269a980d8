import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, PageSchema } from '../../platform/http/pagination';
import { DateTime, Text } from '../../platform/http/schema';

/** One kind of message per user-facing event. */
export const NOTIFICATION_TYPES = [
  'ORDER_CREATED',
  'ORDER_CONFIRMED',
  'ORDER_CANCELLED',
  'PAYMENT_COMPLETED',
  'PAYMENT_FAILED',
  'DELIVERY_SHIPPED',
  'COUPON_ISSUED',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NotificationResponse = Type.Object({
  id: Type.Integer(),
  userId: Type.String(),
  type: Type.String(),
  title: Type.String(),
  message: Type.String(),
  eventId: Type.String(),
  createdAt: DateTime,
}, {
  $id: 'Notification',
  examples: [
    {
      id: 15,
      userId: '00000000-0000-0000-0000-000000000001',
      type: 'ORDER_CREATED',
      title: '주문이 접수되었습니다',
      message: '주문 ORD-20260120-3F9A0C1B이 접수되었습니다.',
      eventId: '0b6c3f7e-2a51-4d0a-9a35-5f1d2c7e8b90',
      createdAt: '2026-01-20T09:30:01.000Z',
    },
  ],
});
export type NotificationResponse = Static<typeof NotificationResponse>;

export const NotificationPage = PageSchema(NotificationResponse);

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const notificationSchemas = [NotificationResponse, NotificationPage];

export const NotificationListQuery = Type.Object({
  userId: Type.Optional(
    Text({ label: 'userId', maxLength: 100, required: 'userId must not be empty' }),
  ),
  ...PageQuery(20),
});
export type NotificationListQuery = Static<typeof NotificationListQuery>;

/** A notification about to be stored. */
export interface NewNotification {
  userId: string;
  type: NotificationType;
  title: string;
  message: string;
  eventId: string;
}
