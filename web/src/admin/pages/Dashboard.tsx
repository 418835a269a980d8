/**
 * The live sale dashboard: one frame a second from the service's sale stream
 * (figures summed over every instance by the service, not counted here), kept
 * as the last two minutes of points per chart — for every running coupon,
 * time deal and waiting room, paid orders per second and the sale routes' p99.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AlignedData } from 'uplot';
import type { paths } from '../../api/schema';
import type { ApiError } from '../../shared/api';
import { useSession } from '../../shared/context';
import { formatNumber, formatTime } from '../../shared/format';
import { openStream } from '../../shared/stream';
import { Alert, Badge, Card, Spinner } from '../../shared/ui';
import { LiveChart, type ChartSeries } from '../../shared/ui/LiveChart';
import { useT, type MessageKey } from '../messages';

export type SaleStats = paths['/api/v1/shopping/admin/live/sales']['get']['responses'][200]['content']['text/event-stream'];

export const LIVE_PATH = '/api/v1/shopping/admin/live/sales';

/** Seconds of history each chart shows. */
const WINDOW = 120;

const COLORS = { main: '#2f5bea', bad: '#c62b2b', warn: '#d08a00', ok: '#1f8a4c', extra: '#7a4bd1' };

/** Every chart's points, keyed by chart name: times (s) and one array per series (null: no value that second). */
type History = Map<string, (number | null)[][]>;

function append(history: History, key: string, time: number, values: (number | null)[]): void {
  let columns = history.get(key);
  if (!columns) {
    columns = [[], ...values.map(() => [] as (number | null)[])];
    history.set(key, columns);
  }
  columns[0].push(time);
  values.forEach((v, i) => columns[i + 1].push(v));
  if (columns[0].length > WINDOW) for (const c of columns) c.splice(0, c.length - WINDOW);
}

/** Adds a frame to the history; charts of sales that no longer run are dropped. */
function record(history: History, stats: SaleStats): History {
  const time = Date.parse(stats.at) / 1000;
  // A reconnect may bring the latest frame again: each second is drawn once, in order.
  const last = history.get('paid-orders')?.[0];
  if (last && last.length > 0 && (last[last.length - 1] ?? 0) >= time) return history;
  const next: History = new Map();
  const keep = (key: string, values: (number | null)[]) => {
    const old = history.get(key);
    if (old) next.set(key, old);
    append(next, key, time, values);
  };
  for (const c of stats.coupons) {
    keep(`coupon-${c.couponId}-left`, [c.left]);
    keep(`coupon-${c.couponId}-rate`, [c.issuedPerSec, c.soldOutPerSec, c.limitPerSec]);
  }
  for (const d of stats.timeDeals) {
    keep(`timedeal-${d.timeDealId}-left`, [d.left]);
    keep(`timedeal-${d.timeDealId}-rate`, [d.purchasesPerSec, d.soldOutPerSec, d.limitPerSec]);
  }
  for (const q of stats.queues) {
    keep(`queue-${q.eventType}-${q.eventId}-line`, [q.waiting, q.admitted]);
    keep(`queue-${q.eventType}-${q.eventId}-admissions`, [q.admissionsPerSec]);
  }
  keep('paid-orders', [stats.paidOrdersPerSec]);
  keep('latency', stats.latency.map((l) => l.p99Ms)); // a route without requests leaves a gap
  keep('requests', stats.latency.map((l) => l.requestsPerSec));
  return next;
}

const LATENCY_COLORS = [COLORS.main, COLORS.ok, COLORS.warn, COLORS.extra];
const ROUTE_LABELS: Record<string, MessageKey> = {
  'coupon-issue': 'live.route.couponIssue',
  'timedeal-purchase': 'live.route.timedealPurchase',
  'queue-enter': 'live.route.queueEnter',
  'order-pay': 'live.route.orderPay',
};

export function DashboardPage() {
  const { t, lang } = useT();
  const { session } = useSession();
  const [stats, setStats] = useState<SaleStats | null>(null);
  const [connected, setConnected] = useState<boolean | null>(null);
  const [refused, setRefused] = useState<ApiError | null>(null);
  const history = useRef<History>(new Map());
  const [version, setVersion] = useState(0);

  useEffect(
    () =>
      openStream(session, LIVE_PATH, {
        onEvent: (e) => {
          if (e.event !== 'sale-stats') return;
          const frame = JSON.parse(e.data) as { data: SaleStats };
          history.current = record(history.current, frame.data);
          setStats(frame.data);
          setVersion((v) => v + 1);
        },
        onConnection: setConnected,
        onRefused: setRefused,
      }),
    [session],
  );

  // Fresh arrays each frame, so each chart's setData runs once per second.
  const series = useMemo(() => {
    const out = new Map<string, AlignedData>();
    for (const [key, columns] of history.current) out.set(key, columns.map((c) => c.slice()) as unknown as AlignedData);
    return out;
  }, [version]); // the history is a ref: `version` says it changed

  const n = (v: number | null | undefined, digits = 0) => formatNumber(lang, v, digits);
  const perSec = (v: number) => t('live.perSec', { n: n(v) });
  const chart = (name: string, title: string, value: string, raw: number | null, lines: ChartSeries[]) => {
    const data = series.get(name);
    return data ? <LiveChart key={name} name={name} title={title} value={value} rawValue={raw} series={lines} data={data} windowSeconds={WINDOW} /> : null;
  };
  const rates: ChartSeries[] = [
    { label: t('live.accepted'), color: COLORS.main },
    { label: t('live.soldOut'), color: COLORS.bad },
    { label: t('live.limit'), color: COLORS.warn },
  ];

  return (
    <>
      <Card
        title={t('nav.dashboard')}
        actions={
          <div className="row-gap" data-testid="live-status">
            {connected === null && !refused && <Spinner />}
            {connected === true && <Badge tone="ok">{t('live.connected')}</Badge>}
            {connected === false && <Badge tone="warn">{t('live.reconnecting')}</Badge>}
            {stats && (
              <span className="muted">
                {t('live.instances', { n: stats.instances })} · <span data-testid="live-at">{formatTime(lang, stats.at)}</span>
              </span>
            )}
          </div>
        }
      >
        {refused && <Alert kind="error">{refused.message}</Alert>}
        {!stats && !refused && <p className="muted">{t('live.waiting')}</p>}
        {stats && (
          <div className="charts">
            {chart('paid-orders', t('live.paidOrders'), perSec(stats.paidOrdersPerSec), stats.paidOrdersPerSec, [{ label: t('live.paidOrders'), color: COLORS.ok }])}
            {chart(
              'latency',
              t('live.p99'),
              stats.latency.some((l) => l.p99Ms !== null) ? `${n(Math.max(...stats.latency.map((l) => l.p99Ms ?? 0)), 1)} ms` : '–',
              Math.max(0, ...stats.latency.map((l) => l.p99Ms ?? 0)),
              stats.latency.map((l, i) => ({ label: t(ROUTE_LABELS[l.route] ?? 'live.p99'), color: LATENCY_COLORS[i % LATENCY_COLORS.length] })),
            )}
            {chart(
              'requests',
              t('live.requests'),
              perSec(stats.latency.reduce((s, l) => s + l.requestsPerSec, 0)),
              stats.latency.reduce((s, l) => s + l.requestsPerSec, 0),
              stats.latency.map((l, i) => ({ label: t(ROUTE_LABELS[l.route] ?? 'live.requests'), color: LATENCY_COLORS[i % LATENCY_COLORS.length] })),
            )}
          </div>
        )}
      </Card>

      {stats && stats.coupons.length + stats.timeDeals.length + stats.queues.length === 0 && <Alert kind="info">{t('live.nothingRunning')}</Alert>}

      <div className="sales">
        {stats?.coupons.map((c) => (
          <Card key={`c${c.couponId}`} title={`${t('live.coupon')} · ${c.code} · ${c.name}`}>
            <div className="charts charts-2">
              {chart(`coupon-${c.couponId}-left`, t('live.left', { total: n(c.totalQuantity) }), n(c.left), c.left, [{ label: t('live.unitsLeft'), color: COLORS.main }])}
              {chart(`coupon-${c.couponId}-rate`, t('live.issuesPerSec'), perSec(c.issuedPerSec), c.issuedPerSec, rates)}
            </div>
          </Card>
        ))}
        {stats?.timeDeals.map((d) => (
          <Card key={`d${d.timeDealId}`} title={`${t('live.timedeal')} · ${d.name}`}>
            <div className="charts charts-2">
              {chart(`timedeal-${d.timeDealId}-left`, t('live.left', { total: n(d.quantity) }), n(d.left), d.left, [{ label: t('live.unitsLeft'), color: COLORS.main }])}
              {chart(`timedeal-${d.timeDealId}-rate`, t('live.purchasesPerSec'), perSec(d.purchasesPerSec), d.purchasesPerSec, rates)}
            </div>
          </Card>
        ))}
        {stats?.queues.map((q) => (
          <Card key={`q${q.eventType}${q.eventId}`} title={`${t('live.queue')} · ${q.eventType} #${q.eventId}`}>
            <div className="charts charts-2">
              {chart(`queue-${q.eventType}-${q.eventId}-line`, t('live.lineLength'), n(q.waiting), q.waiting, [
                { label: t('live.waitingLabel'), color: COLORS.main },
                { label: t('live.admitted'), color: COLORS.ok },
              ])}
              {chart(`queue-${q.eventType}-${q.eventId}-admissions`, t('live.admissionsPerSec'), perSec(q.admissionsPerSec), q.admissionsPerSec, [
                { label: t('live.admissionsPerSec'), color: COLORS.ok },
              ])}
            </div>
          </Card>
        ))}
      </div>
    </>
  );
}
