import { type Static, Type } from '@sinclair/typebox';
import { PageQuery } from '../../platform/http/pagination';
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
});
export type NotificationResponse = Static<typeof NotificationResponse>;

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
