/** Loading data and running actions, each with its busy state and the envelope's error message. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    // A validation failure (C002) names what is wrong in its details.
    const details = Array.isArray(err.details) ? err.details.map((d: { message?: unknown }) => d?.message).filter((m): m is string => typeof m === 'string') : [];
    return details.length > 0 ? `${err.message}: ${details.join('; ')}` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export interface Loaded<T> {
  data: T | undefined;
  loading: boolean;
  error: string | null;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; a newer load wins over a slower older one. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const id = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (id !== latest.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (id !== latest.current) return;
        setError(messageOf(err));
        setLoading(false);
      },
    );
    // `load` is a fresh closure each render; what it reads is named in `deps`.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, loading, error, reload };
}

export interface Action<A extends unknown[], R> {
  /** Runs the action; resolves to its result, or undefined when it failed (the error is in `error`). */
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: string | null;
  clearError: () => void;
}

/** An action a button starts: busy while it runs, the failure's message afterwards. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef(action);
  ref.current = action;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await ref.current(...args);
    } catch (err) {
      setError(messageOf(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { run, busy, error, clearError };
}
