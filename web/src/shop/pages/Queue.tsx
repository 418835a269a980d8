/**
 * The waiting room (`/queue/{type}/{id}?next=…`): joins the line, shows the
 * place in it as the service pushes it, and moves the buyer on to `next` by
 * itself once admitted. The stream is read with the buyer's token in the
 * Authorization header (the entry token in the path names the entry; the
 * service checks the two belong to the same buyer).
 */
import { useEffect, useState } from 'react';
import { Link, useLocation, useParams, useSearch } from 'wouter';
import { unwrap } from '../../shared/api';
import { useApi, useSession } from '../../shared/context';
import { formatNumber } from '../../shared/format';
import { useAction } from '../../shared/hooks';
import { openStream } from '../../shared/stream';
import { Alert, Button, ErrorText, Spinner } from '../../shared/ui';
import { nextPath } from '../common';
import { useT } from '../messages';

interface QueueStatus {
  entryToken: string;
  status: string;
  position: number;
  estimatedWaitSeconds: number;
  totalWaiting: number;
  message: string;
}

export function QueuePage() {
  const { t, lang } = useT();
  const api = useApi();
  const { session } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const { type, id } = useParams<{ type: string; id: string }>();
  const eventId = Number(id);
  const next = nextPath(search);
  const [entry, setEntry] = useState<QueueStatus | null>(null);
  const [connected, setConnected] = useState(true);
  const [streamError, setStreamError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  const enter = useAction(async () => unwrap(api.POST('/api/v1/shopping/queue/{eventType}/{eventId}/enter', { params: { path: { eventType: type, eventId } } })));

  // Join (or find our place again: entering twice answers the same entry).
  useEffect(() => {
    let live = true;
    void enter.run().then((status) => {
      if (live && status) setEntry(status);
    });
    return () => {
      live = false;
    };
    // `enter.run` is stable; a new queue or "join again" (`attempt`) enters anew.
  }, [type, eventId, attempt]);

  const token = entry?.entryToken;
  const waiting = entry?.status === 'WAITING';

  // Follow the line until the entry settles.
  useEffect(() => {
    if (!token || !waiting) return;
    setStreamError(null);
    const path = `/api/v1/shopping/queue/${encodeURIComponent(type)}/${eventId}/subscribe/${token}`;
    const close = openStream(session, path, {
      onEvent: (event) => {
        try {
          const frame = JSON.parse(event.data) as { data?: QueueStatus };
          if (frame.data && frame.data.entryToken === token) setEntry(frame.data);
        } catch {
          /* not a status frame */
        }
      },
      onConnection: setConnected,
      onRefused: (err) => setStreamError(err.message),
    });
    return close;
  }, [session, type, eventId, token, waiting]);

  // Admitted: on to the page the buyer was going to.
  useEffect(() => {
    if (entry?.status === 'ENTERED') navigate(next, { replace: true });
  }, [entry?.status, navigate, next]);

  const leave = useAction(async () => {
    await unwrap(api.DELETE('/api/v1/shopping/queue/{eventType}/{eventId}/leave', { params: { path: { eventType: type, eventId } } }));
    navigate(next === '/' ? '/deals' : next.replace(/\?.*$/, ''), { replace: true });
  });

  return (
    <div className="narrow queue-page">
      <section className="card queue-card">
        <h1>{t('queue.title')}</h1>
        <p className="muted">{t('queue.intro')}</p>
        <ErrorText error={enter.error} />
        {enter.error && !entry && (
          <p>
            <Link href={next}>{t('queue.continue')}</Link>
          </p>
        )}
        <ErrorText error={streamError} />
        {enter.busy && !entry && (
          <p>
            <Spinner /> {t('queue.joining')}
          </p>
        )}
        {entry && waiting && (
          <>
            <div className="queue-position">
              <span className="muted">{t('queue.yourPlace')}</span>
              <strong data-testid="queue-position" data-position={entry.position}>
                {t('queue.position', { n: formatNumber(lang, entry.position) })}
              </strong>
            </div>
            <p>{t('queue.wait', { s: formatNumber(lang, entry.estimatedWaitSeconds), total: formatNumber(lang, entry.totalWaiting) })}</p>
            <p className="muted small">{connected ? t('queue.live') : t('queue.reconnecting')}</p>
            <Button variant="ghost" data-testid="queue-leave" busy={leave.busy} onClick={() => void leave.run()}>
              {t('queue.leave')}
            </Button>
            <ErrorText error={leave.error} />
          </>
        )}
        {entry?.status === 'ENTERED' && (
          <Alert kind="success">
            {t('queue.admitted')} <Link href={next}>{t('queue.continue')}</Link>
          </Alert>
        )}
        {entry && (entry.status === 'EXPIRED' || entry.status === 'LEFT') && (
          <>
            <Alert kind="info">{entry.status === 'EXPIRED' ? t('queue.expired') : t('queue.left')}</Alert>
            <Button variant="primary" onClick={() => setAttempt((n) => n + 1)}>
              {t('queue.again')}
            </Button>
          </>
        )}
      </section>
    </div>
  );
}
