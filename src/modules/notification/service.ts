import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../platform/db/index';
import type { EventConsumer } from '../../platform/events/consumer';
import { type EventMessage, type Topic, Topics } from '../../platform/events/outbox';
import { toPage, type Page, type PageRequest } from '../../platform/http/pagination';
import { toMinor } from '../../platform/money';
import { NotificationRepository, type NotificationRow } from './repository';
import type { NewNotification, NotificationResponse, NotificationType } from './schemas';

/** `processed_events.consumer` and the Kafka consumer group suffix. Never rename. */
export const NOTIFICATION_CONSUMER = 'notification';

type Payload = Record<string, unknown>;
type Composed = Pick<NewNotification, 'type' | 'title' | 'message'>;

/**
 * What a shop tells its customer about each event, in Korean. A template
 * returns null when the payload lacks what the message needs; the event then
 * notifies nobody (and is still marked processed). Amounts are formatted from
 * their exact decimal form, dates in Korea's time (UTC+9, no daylight saving),
 * because that is the calendar the customer reads them in.
 */
const TEMPLATES: Partial<Record<Topic, (p: Payload) => Composed | null>> = {
  [Topics.ORDER_CREATED]: (p) => {
    const orderNumber = text(p.orderNumber);
    if (!orderNumber) return null;
    const amount = won(p.totalAmount ?? p.finalAmount);
    return {
      type: 'ORDER_CREATED',
      title: '주문이 접수되었습니다',
      message: join(
        `주문번호 ${orderNumber}${itemsSummary(p.items) ? ` (${itemsSummary(p.items)})` : ''} 주문이 접수되었습니다.`,
        amount && `결제 금액: ${amount}.`,
        '결제를 완료하시면 주문이 확정됩니다.',
      ),
    };
  },
  [Topics.ORDER_CONFIRMED]: (p) => {
    const orderNumber = text(p.orderNumber);
    if (!orderNumber) return null;
    const amount = won(p.finalAmount);
    return {
      type: 'ORDER_CONFIRMED',
      title: '주문이 확정되었습니다',
      message: join(
        `결제가 확인되어 주문번호 ${orderNumber} 주문이 확정되었습니다.`,
        amount && `결제 금액: ${amount}.`,
        '상품이 발송되면 다시 알려 드릴게요.',
      ),
    };
  },
  [Topics.ORDER_CANCELLED]: (p) => {
    const orderNumber = text(p.orderNumber);
    if (!orderNumber) return null;
    const reason = text(p.cancelReason ?? p.reason);
    const amount = won(p.totalAmount ?? p.finalAmount);
    return {
      type: 'ORDER_CANCELLED',
      title: '주문이 취소되었습니다',
      message: join(
        `주문번호 ${orderNumber} 주문이 취소되었습니다.`,
        reason && `취소 사유: ${reason}.`,
        isRefund(p) && (amount ? `결제하신 ${amount}은 결제 수단으로 환불됩니다.` : '결제하신 금액은 결제 수단으로 환불됩니다.'),
      ),
    };
  },
  [Topics.PAYMENT_COMPLETED]: (p) => {
    const orderNumber = text(p.orderNumber);
    const amount = won(p.amount);
    if (!orderNumber || !amount) return null;
    const method = METHOD_LABELS[text(p.paymentMethod) ?? ''];
    return {
      type: 'PAYMENT_COMPLETED',
      title: '결제가 완료되었습니다',
      message: join(`주문번호 ${orderNumber}의 결제 ${amount}이 완료되었습니다${method ? ` (${method})` : ''}.`),
    };
  },
  [Topics.PAYMENT_FAILED]: (p) => {
    const orderNumber = text(p.orderNumber);
    if (!orderNumber) return null;
    const reason = text(p.failureReason ?? p.reason);
    return {
      type: 'PAYMENT_FAILED',
      title: '결제에 실패했습니다',
      message: join(
        `주문번호 ${orderNumber}의 결제가 완료되지 않았습니다.`,
        reason && `사유: ${reason}.`,
        '결제 수단을 확인하신 뒤 다시 주문해 주세요.',
      ),
    };
  },
  [Topics.DELIVERY_SHIPPED]: (p) => {
    const orderNumber = text(p.orderNumber);
    const trackingNumber = text(p.trackingNumber);
    if (!orderNumber || !trackingNumber) return null;
    const carrier = text(p.carrier);
    const eta = koreanDate(p.estimatedDeliveryDate);
    return {
      type: 'DELIVERY_SHIPPED',
      title: '상품이 발송되었습니다',
      message: join(
        `주문번호 ${orderNumber}의 상품이 발송되었습니다.`,
        `${carrier ? `택배사: ${carrier}, ` : ''}운송장 번호: ${trackingNumber}.`,
        eta && `도착 예정일: ${eta}.`,
      ),
    };
  },
  [Topics.COUPON_ISSUED]: (p) => {
    const name = text(p.couponName) ?? text(p.couponCode);
    if (!name) return null;
    const discount = discountText(p.discountType, p.discountValue);
    const expires = koreanDate(p.expiresAt);
    return {
      type: 'COUPON_ISSUED',
      title: '쿠폰이 발급되었습니다',
      message: join(`${name} 쿠폰이 발급되었습니다${discount ? ` (${discount})` : ''}.`, expires && `${expires}까지 사용하실 수 있습니다.`),
    };
  },
};

const METHOD_LABELS: Record<string, string> = {
  CARD: '카드',
  CREDIT_CARD: '신용카드',
  BANK_TRANSFER: '계좌이체',
  VIRTUAL_ACCOUNT: '가상계좌',
  MOBILE: '휴대폰 결제',
  POINTS: '포인트',
  KAKAO_PAY: '카카오페이',
  NAVER_PAY: '네이버페이',
};

/**
 * Customer notifications: the consumer turns each user-facing event into one
 * `notifications` row (at most one per event id, however often it is
 * delivered); admins read them back by user. Sending them on (mail, push) would
 * be another consumer of these rows, not this service's job.
 */
export class NotificationService {
  private readonly repo: NotificationRepository;

  constructor(
    db: Db,
    private readonly log?: FastifyBaseLogger,
  ) {
    this.repo = new NotificationRepository(db);
  }

  async list(userId: string | undefined, page: PageRequest): Promise<Page<NotificationResponse>> {
    const [rows, total] = await Promise.all([this.repo.list(userId, page.size, page.offset), this.repo.count(userId)]);
    return toPage(rows.map(toResponse), total, page);
  }

  /** The message for an event, or null when it notifies nobody. */
  compose(event: EventMessage): NewNotification | null {
    const template = TEMPLATES[event.topic];
    const userId = text(event.payload.userId);
    if (!template || !userId) return null;
    const composed = template(event.payload);
    if (!composed) return null;
    return {
      userId: userId.slice(0, 100),
      type: composed.type satisfies NotificationType,
      title: composed.title.slice(0, 200),
      message: composed.message.slice(0, 1000),
      eventId: event.eventId,
    };
  }

  /** Register with `eventing.register(...)`: one notification per user-facing event, idempotent by event id. */
  consumer(): EventConsumer {
    return {
      name: NOTIFICATION_CONSUMER,
      topics: Object.keys(TEMPLATES) as Topic[],
      handle: async (trx, event) => {
        const notification = this.compose(event);
        if (!notification) {
          this.log?.warn({ topic: event.topic, eventId: event.eventId }, 'event without the fields a notification needs; none sent');
          return;
        }
        await this.repo.with(trx).insert(notification);
      },
      handleBatch: async (trx, events) => {
        const rows = events.map((e) => this.compose(e)).filter((n): n is NewNotification => n !== null);
        if (rows.length < events.length) this.log?.warn({ skipped: events.length - rows.length }, 'events without the fields a notification needs; none sent');
        await this.repo.with(trx).insertMany(rows);
      },
    };
  }
}

function toResponse(row: NotificationRow): NotificationResponse {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    title: row.title,
    message: row.message,
    eventId: row.event_id,
    createdAt: row.created_at,
  };
}

// ---- formatting ----------------------------------------------------------------

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Sentences that are present, joined by spaces. */
function join(...parts: (string | false | undefined | null | '')[]): string {
  return parts.filter(Boolean).join(' ');
}

/** 59000 | "59000.00" → "59,000원"; "1234.5" → "1,234.50원". */
function won(value: unknown): string | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  let minor: number;
  try {
    minor = toMinor(value);
  } catch {
    return undefined;
  }
  const abs = Math.abs(minor);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = abs % 100 === 0 ? '' : `.${String(abs % 100).padStart(2, '0')}`;
  return `${minor < 0 ? '-' : ''}${whole}${cents}원`;
}

/** "2024-03-05" or an ISO instant → "2024년 3월 5일" (an instant in Korea's time). */
function koreanDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let y: number, m: number, d: number;
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) {
    [y, m, d] = [Number(plain[1]), Number(plain[2]), Number(plain[3])];
  } else {
    const t = Date.parse(value);
    if (Number.isNaN(t)) return undefined;
    const kst = new Date(t + 9 * 3600_000);
    [y, m, d] = [kst.getUTCFullYear(), kst.getUTCMonth() + 1, kst.getUTCDate()];
  }
  return `${y}년 ${m}월 ${d}일`;
}

/** "상품명 외 2건". */
function itemsSummary(items: unknown): string | undefined {
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const first = text((items[0] as Payload | null)?.productName);
  if (!first) return undefined;
  return items.length > 1 ? `${first} 외 ${items.length - 1}건` : first;
}

function discountText(type: unknown, value: unknown): string | undefined {
  if (type === 'PERCENTAGE' && text(value)) return `${text(value)}% 할인`;
  const amount = won(value);
  return amount ? `${amount} 할인` : undefined;
}

/** An order.cancelled that gave money back: the order module sets `refunded: true` (or `status: 'REFUNDED'`). */
function isRefund(payload: Payload): boolean {
  return payload.refunded === true || payload.status === 'REFUNDED';
}
