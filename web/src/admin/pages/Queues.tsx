/**
 * Waiting rooms: activate one for an event with its settings, see each line's
 * length and admitted entries, run an admission batch now, deactivate one.
 * A waiting room for `TIMEDEAL` / a deal's id gates that deal's purchases.
 */
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatDateTime, formatNumber } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, Card, ErrorText, Field, Pager, Table, type Column } from '../../shared/ui';
import { useT } from '../messages';

const PAGE_SIZE = 50;

const EMPTY_FORM = { eventType: 'TIMEDEAL', eventId: '', maxCapacity: '100', entryBatchSize: '10', entryIntervalSeconds: '1', entryTtlSeconds: '' };

export function QueuesPage() {
  const { t, lang } = useT();
  const api = useApi();
  const [page, setPage] = useState(1);
  const [onlyActive, setOnlyActive] = useState(false);
  const [form, setForm] = useState(EMPTY_FORM);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useLoad(
    () => unwrap(api.GET('/api/v1/shopping/admin/queues', { params: { query: { page, size: PAGE_SIZE, ...(onlyActive ? { active: true } : {}) } } })),
    [page, onlyActive],
  );

  const activate = useAction(async () => {
    const path = { eventType: form.eventType.trim(), eventId: Number(form.eventId) };
    await unwrap(
      api.POST('/api/v1/shopping/admin/queue/{eventType}/{eventId}/activate', {
        params: { path },
        body: {
          maxCapacity: Number(form.maxCapacity),
          entryBatchSize: Number(form.entryBatchSize),
          entryIntervalSeconds: Number(form.entryIntervalSeconds),
          entryTtlSeconds: form.entryTtlSeconds.trim() === '' ? null : Number(form.entryTtlSeconds),
        },
      }),
    );
    setNotice(t('queue.activated', { name: `${path.eventType} #${path.eventId}` }));
    list.reload();
  });

  const [working, setWorking] = useState<string | null>(null);
  const act = useAction(async (what: 'deactivate' | 'process', eventType: string, eventId: number) => {
    setWorking(`${what}:${eventType}:${eventId}`);
    try {
      const params = { path: { eventType, eventId } };
      if (what === 'deactivate') await unwrap(api.POST('/api/v1/shopping/admin/queue/{eventType}/{eventId}/deactivate', { params }));
      else await unwrap(api.POST('/api/v1/shopping/admin/queue/{eventType}/{eventId}/process', { params }));
      setNotice(t(what === 'deactivate' ? 'queue.deactivated' : 'queue.processed', { name: `${eventType} #${eventId}` }));
      list.reload();
    } finally {
      setWorking(null);
    }
  });

  const set = (key: keyof typeof EMPTY_FORM) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  type Room = NonNullable<typeof list.data>['items'][number];
  const columns: Column<Room>[] = [
    { key: 'event', header: t('queue.event'), cell: (q) => <strong>{`${q.eventType} #${q.eventId}`}</strong> },
    { key: 'active', header: t('common.status'), cell: (q) => (q.active ? <Badge tone="ok">{t('queue.active')}</Badge> : <Badge>{t('queue.inactive')}</Badge>) },
    { key: 'waiting', header: t('queue.waiting'), align: 'right', cell: (q) => formatNumber(lang, q.waiting) },
    { key: 'admitted', header: t('queue.admitted'), align: 'right', cell: (q) => `${formatNumber(lang, q.admitted)} / ${formatNumber(lang, q.maxCapacity)}` },
    { key: 'batch', header: t('queue.batch'), cell: (q) => t('queue.batchValue', { n: q.entryBatchSize, s: q.entryIntervalSeconds }) },
    { key: 'ttl', header: t('queue.ttl'), align: 'right', cell: (q) => `${formatNumber(lang, q.entryTtlSeconds)} s` },
    { key: 'since', header: t('queue.since'), cell: (q) => formatDateTime(lang, q.active ? q.activatedAt : q.deactivatedAt) },
    {
      key: 'actions',
      header: '',
      cell: (q) =>
        q.active && (
          <div className="row-gap">
            <Button busy={working === `process:${q.eventType}:${q.eventId}`} onClick={() => void act.run('process', q.eventType, q.eventId)}>
              {t('queue.process')}
            </Button>
            <Button
              variant="danger"
              busy={working === `deactivate:${q.eventType}:${q.eventId}`}
              onClick={() => {
                if (window.confirm(t('queue.deactivateConfirm'))) void act.run('deactivate', q.eventType, q.eventId);
              }}
            >
              {t('queue.deactivate')}
            </Button>
          </div>
        ),
    },
  ];

  return (
    <>
      <Card title={t('queue.activateTitle')}>
        <form
          className="form-grid"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            setNotice(null);
            void activate.run();
          }}
        >
          <Field label={t('queue.eventType')} hint={t('queue.eventTypeHint')}>
            <input data-testid="queue-event-type" required maxLength={50} value={form.eventType} onChange={set('eventType')} />
          </Field>
          <Field label={t('queue.eventId')}>
            <input data-testid="queue-event-id" required type="number" min={1} step={1} value={form.eventId} onChange={set('eventId')} />
          </Field>
          <Field label={t('queue.maxCapacity')}>
            <input required type="number" min={1} step={1} value={form.maxCapacity} onChange={set('maxCapacity')} />
          </Field>
          <Field label={t('queue.entryBatchSize')}>
            <input required type="number" min={1} step={1} value={form.entryBatchSize} onChange={set('entryBatchSize')} />
          </Field>
          <Field label={t('queue.entryIntervalSeconds')}>
            <input required type="number" min={1} step={1} value={form.entryIntervalSeconds} onChange={set('entryIntervalSeconds')} />
          </Field>
          <Field label={t('queue.entryTtlSeconds')}>
            <input type="number" min={1} step={1} value={form.entryTtlSeconds} onChange={set('entryTtlSeconds')} />
          </Field>
          <div className="form-actions field-wide">
            <Button data-testid="queue-submit" type="submit" variant="primary" busy={activate.busy}>
              {t('queue.activate')}
            </Button>
          </div>
        </form>
        <ErrorText error={activate.error} onClose={activate.clearError} />
      </Card>
      <Card
        title={t('nav.queues')}
        actions={
          <>
            <label className="row-gap">
              <input type="checkbox" style={{ width: 'auto', minHeight: 0 }} checked={onlyActive} onChange={(e) => setOnlyActive(e.target.checked)} />
              {t('queue.onlyActive')}
            </label>
            <Button onClick={list.reload} busy={list.loading}>
              {t('common.refresh')}
            </Button>
          </>
        }
      >
        {notice && (
          <Alert kind="success" onClose={() => setNotice(null)}>
            {notice}
          </Alert>
        )}
        <ErrorText error={list.error ?? act.error} onClose={act.clearError} />
        <Table columns={columns} rows={list.data?.items} rowKey={(q) => q.id} loading={list.loading} empty={t('common.empty')} />
        <Pager page={page} totalPages={list.data?.totalPages ?? 1} onPage={setPage} label={(p, n) => t('common.page', { page: p, total: n })} />
      </Card>
    </>
  );
}
