import { type Static, Type } from '@sinclair/typebox';
import { PageQuery } from '../../platform/http/pagination';
import { DateTime, msg } from '../../platform/http/schema';

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
    msg(Type.String({ minLength: 1, maxLength: 100 }), {
      minLength: 'userId must not be empty',
      maxLength: 'userId must be at most 100 characters',
    }),
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
