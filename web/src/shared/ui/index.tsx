/** The few building blocks every page uses, styled by `ui/styles.css` (plain CSS, no kit). */
import type { ButtonHTMLAttributes, ReactNode } from 'react';
import './styles.css';

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label ?? 'loading'} />;
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; variant?: 'primary' | 'secondary' | 'danger' | 'ghost' };

/** A button that shows a spinner and refuses clicks while its action runs. */
export function Button({ busy = false, variant = 'secondary', className, children, disabled, type = 'button', ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} className={`btn btn-${variant} ${className ?? ''}`} disabled={disabled || busy} aria-busy={busy}>
      {busy && <Spinner />}
      {children}
    </button>
  );
}

export function Field({ label, hint, children, wide }: { label: string; hint?: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={`field ${wide ? 'field-wide' : ''}`}>
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

export function Alert({ kind = 'error', children, onClose }: { kind?: 'error' | 'info' | 'success'; children: ReactNode; onClose?: () => void }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={`alert-${kind}`}>
      <span>{children}</span>
      {onClose && (
        <button type="button" className="alert-close" onClick={onClose} aria-label="close">
          ×
        </button>
      )}
    </div>
  );
}

/** Shows a failure's message, if there is one. */
export function ErrorText({ error, onClose }: { error: string | null | undefined; onClose?: () => void }) {
  return error ? (
    <Alert kind="error" onClose={onClose}>
      {error}
    </Alert>
  ) : null;
}

export function Badge({ children, tone }: { children: ReactNode; tone?: 'ok' | 'warn' | 'bad' | 'muted' | 'info' }) {
  return <span className={`badge badge-${tone ?? 'muted'}`}>{children}</span>;
}

export function Card({ title, actions, children }: { title?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  align?: 'right';
  /** Long text that may wrap instead of widening the table. */
  wrap?: boolean;
}

/** A table that scrolls sideways on narrow screens; each body row is `data-testid="row"`. */
export function Table<T>({
  columns,
  rows,
  rowKey,
  empty,
  loading,
  onRowClick,
}: {
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey: (row: T) => string | number;
  empty: ReactNode;
  loading?: boolean;
  onRowClick?: (row: T) => void;
}) {
  return (
    <div className="table-wrap" aria-busy={loading}>
      <table className="table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} className={c.align === 'right' ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows?.map((row) => (
            <tr key={rowKey(row)} data-testid="row" className={onRowClick ? 'clickable' : undefined} onClick={onRowClick ? () => onRowClick(row) : undefined}>
              {columns.map((c) => (
                <td key={c.key} className={c.align === 'right' ? 'num' : c.wrap ? 'wrap' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
          {!loading && rows && rows.length === 0 && (
            <tr className="empty">
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          )}
          {loading && !rows && (
            <tr className="empty">
              <td colSpan={columns.length}>
                <Spinner />
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({ page, totalPages, onPage, label }: { page: number; totalPages: number; onPage: (page: number) => void; label: (page: number, total: number) => string }) {
  if (totalPages <= 1) return null;
  return (
    <nav className="pager">
      <Button variant="ghost" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="previous">
        ‹
      </Button>
      <span>{label(page, totalPages)}</span>
      <Button variant="ghost" disabled={page >= totalPages} onClick={() => onPage(page + 1)} aria-label="next">
        ›
      </Button>
    </nav>
  );
}
