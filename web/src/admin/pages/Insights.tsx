/** Notifications sent to users, and the daily figures (orders, revenue, refunds, …) as charts. */
import { useMemo, useState, type FormEvent } from 'react';
import type { AlignedData } from 'uplot';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatDateTime, formatNumber, formatWon } from '../../shared/format';
import { useLoad } from '../../shared/hooks';
import { Badge, Button, Card, ErrorText, Field, Pager, Table } from '../../shared/ui';
import { LiveChart } from '../../shared/ui/LiveChart';
import { useT, type MessageKey } from '../messages';

const day = (d: Date) => d.toISOString().slice(0, 10);
/** `12-05` for a UTC day given in seconds. */
const dayLabel = (seconds: number) => new Date(seconds * 1000).toISOString().slice(5, 10);

const DAILY: { key: 'orders' | 'revenue' | 'refunds' | 'failedPayments' | 'couponsIssued' | 'dealsStarted'; label: MessageKey; color: string; money?: boolean }[] = [
  { key: 'orders', label: 'insight.orders', color: '#2f5bea' },
  { key: 'revenue', label: 'insight.revenue', color: '#1f8a4c', money: true },
  { key: 'refunds', label: 'insight.refunds', color: '#d08a00' },
  { key: 'failedPayments', label: 'insight.failedPayments', color: '#c62b2b' },
  { key: 'couponsIssued', label: 'insight.couponsIssued', color: '#7a4bd1' },
  { key: 'dealsStarted', label: 'insight.dealsStarted', color: '#0f7c8c' },
];

function Daily() {
  const { t, lang } = useT();
  const api = useApi();
  const [range, setRange] = useState({ from: day(new Date(Date.now() - 29 * 86_400_000)), to: day(new Date()) });
  const [applied, setApplied] = useState(range);
  const daily = useLoad(() => unwrap(api.GET('/api/v1/shopping/admin/analytics/daily', { params: { query: applied } })), [applied]);
  const rows = daily.data ?? [];
  const data = useMemo(() => {
    const times = rows.map((r) => Date.parse(`${r.date}T00:00:00Z`) / 1000);
    return new Map(DAILY.map((d) => [d.key, [times, rows.map((r) => r[d.key])] as AlignedData]));
  }, [rows]);
  return (
    <Card title={t('insight.daily')}>
      <form
        className="toolbar"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setApplied(range);
        }}
      >
        <Field label={t('insight.from')}>
          <input type="date" required value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} />
        </Field>
        <Field label={t('insight.to')}>
          <input type="date" required value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} />
        </Field>
        <Button type="submit" busy={daily.loading}>
          {t('common.search')}
        </Button>
      </form>
      <ErrorText error={daily.error} />
      {daily.data && (
        <div className="charts">
          {DAILY.map((d) => {
            const total = rows.reduce((s, r) => s + r[d.key], 0);
            return (
              <LiveChart
                key={d.key}
                name={`daily-${d.key}`}
                title={t(d.label)}
                value={d.money ? formatWon(lang, total) : formatNumber(lang, total)}
                rawValue={total}
                series={[{ label: t(d.label), color: d.color }]}
                data={data.get(d.key)!}
                xFormat={dayLabel}
              />
            );
          })}
        </div>
      )}
    </Card>
  );
}

function Notifications() {
  const { t, lang } = useT();
  const api = useApi();
  const [page, setPage] = useState(1);
  const [userId, setUserId] = useState('');
  const [applied, setApplied] = useState('');
  const list = useLoad(
    () => unwrap(api.GET('/api/v1/shopping/admin/notifications', { params: { query: { page, size: 20, ...(applied ? { userId: applied } : {}) } } })),
    [page, applied],
  );
  return (
    <Card title={t('insight.notifications')}>
      <form
        className="toolbar"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setPage(1);
          setApplied(userId.trim());
        }}
      >
        <Field label={t('order.user')}>
          <input value={userId} onChange={(e) => setUserId(e.target.value)} />
        </Field>
        <Button type="submit" busy={list.loading}>
          {t('common.search')}
        </Button>
      </form>
      <ErrorText error={list.error} />
      <Table
        columns={[
          { key: 'at', header: t('common.createdAt'), cell: (n) => formatDateTime(lang, n.createdAt) },
          { key: 'type', header: t('insight.type'), cell: (n) => <Badge>{n.type}</Badge> },
          { key: 'user', header: t('order.user'), cell: (n) => <span className="muted">{n.userId}</span> },
          { key: 'title', header: t('insight.title'), cell: (n) => n.title },
          { key: 'message', header: t('insight.message'), wrap: true, cell: (n) => n.message },
        ]}
        rows={list.data?.items}
        rowKey={(n) => n.id}
        loading={list.loading}
        empty={t('common.empty')}
      />
      <Pager page={page} totalPages={list.data?.totalPages ?? 1} onPage={setPage} label={(p, n) => t('common.page', { page: p, total: n })} />
    </Card>
  );
}

export function InsightsPage() {
  return (
    <>
      <Daily />
      <Notifications />
    </>
  );
}
