/**
 * The figures of a backlog: mail the watcher found waiting above its cursor, more than one batch of
 * it (a first start with BACKFILL_DAYS, `winnow backfill`, a long time offline). The watcher keeps
 * them in the mailbox's health hash; `winnow backfill` and the dashboard's health page read them
 * from there, so both show the same figures. Pure: no I/O.
 */
export interface BacklogProgress {
  /** Messages found waiting when the backlog began. */
  total: number;
  /** Messages read so far (their header blocks judged, the bodies that matter queued). */
  done: number;
  /** Of those, how many were read in full: the ones that may be requests, answers or bounces. */
  bodies: number;
  startedAt: number;
  /** When `done` was last counted. */
  at: number;
}

export interface BacklogFigures {
  /** Messages per second since the backlog began; 0 before the first batch. */
  rate: number;
  /** Milliseconds left at the rate so far; null while no rate is known. */
  etaMs: number | null;
  /** 0 to 1. */
  fraction: number;
  finished: boolean;
}

export function backlogFigures(progress: BacklogProgress): BacklogFigures {
  const elapsed = Math.max(0, progress.at - progress.startedAt);
  const rate = elapsed > 0 ? (progress.done * 1000) / elapsed : 0;
  const left = Math.max(0, progress.total - progress.done);
  return {
    rate,
    etaMs: left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : null,
    fraction: progress.total > 0 ? Math.min(1, progress.done / progress.total) : 1,
    finished: left === 0,
  };
}

/** The health hash's fields for a backlog (src/mailbox/watcher.ts writes them, readBacklog reads them). */
export function backlogFields(progress: BacklogProgress): Record<string, number> {
  return { backlogTotal: progress.total, backlogDone: progress.done, backlogBodies: progress.bodies, backlogStartedAt: progress.startedAt, backlogAt: progress.at };
}

/** The backlog in the health hash, or null when the watcher never met one. */
export function readBacklog(fields: Record<string, string | undefined>): BacklogProgress | null {
  const total = Number(fields.backlogTotal);
  const startedAt = Number(fields.backlogStartedAt);
  if (!Number.isFinite(total) || total <= 0 || !Number.isFinite(startedAt) || startedAt <= 0) return null;
  const count = (value: string | undefined) => (Number.isFinite(Number(value)) ? Math.max(0, Number(value)) : 0);
  return { total, done: Math.min(total, count(fields.backlogDone)), bodies: count(fields.backlogBodies), startedAt, at: Math.max(startedAt, count(fields.backlogAt)) };
}

const COUNT = new Intl.NumberFormat('en-GB');

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** One line of figures: "4,200 of 10,000 messages (42 %) · 2,100 msg/s · about 3 s left". */
export function backlogLine(progress: BacklogProgress): string {
  const figures = backlogFigures(progress);
  const parts = [
    `${COUNT.format(progress.done)} of ${COUNT.format(progress.total)} messages (${Math.floor(figures.fraction * 100)} %)`,
    `${COUNT.format(Math.round(figures.rate))} msg/s`,
    figures.finished ? `done in ${formatDuration(progress.at - progress.startedAt)}, ${COUNT.format(progress.bodies)} read in full` : figures.etaMs === null ? 'time left not known yet' : `about ${formatDuration(figures.etaMs)} left`,
  ];
  return parts.join(' · ');
}

/** A terminal's progress bar: the line above behind a bar of `width` cells. */
export function backlogBar(progress: BacklogProgress, width = 24): string {
  const filled = Math.round(backlogFigures(progress).fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${backlogLine(progress)}`;
}
