import type { Kysely, Selectable } from 'kysely';

import type { AuditLogTable, DatabaseSchema } from '../storage/index.js';

/** One administrative action to record. */
export interface AuditEvent {
  /** Key id of the caller, `cli` for the command line, or `anonymous` when auth is off. */
  readonly actor: string;
  /** Action name, e.g. `keys.create` or `POST /v1/models/:ref/unload`. */
  readonly action: string;
  /** Object of the action, e.g. a key id or a model reference. */
  readonly target: string;
  /** HTTP status, for actions over HTTP. */
  readonly status?: number;
  /** Further fields; never a secret. */
  readonly details?: Record<string, unknown>;
}

/** A recorded action, as `GET /v1/audit` returns it. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly status: number | null;
  readonly details: Record<string, unknown>;
}

/**
 * Filter of {@link AuditLog.list}: inclusive bounds as ISO-8601 times or `YYYY-MM-DD` UTC days,
 * and the newest `limit` entries (default 100).
 */
export interface AuditQuery {
  readonly from?: string;
  readonly to?: string;
  readonly actor?: string;
  readonly limit?: number;
}

/** Append-only log of administrative actions in the `audit_log` table. */
export class AuditLog {
  readonly #db: Kysely<DatabaseSchema>;

  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  async record(event: AuditEvent, now = new Date()): Promise<void> {
    await this.#db
      .insertInto('audit_log')
      .values({
        at: now.toISOString(),
        actor: event.actor,
        action: event.action,
        target: event.target,
        status: event.status ?? null,
        details: JSON.stringify(event.details ?? {}),
      })
      .execute();
  }

  /** Returns the newest matching entries, newest first. */
  async list(filter: AuditQuery = {}): Promise<AuditEntry[]> {
    let query = this.#db.selectFrom('audit_log').selectAll();
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) {
      const to = filter.to.length === 10 ? `${filter.to}T23:59:59.999Z` : filter.to;
      query = query.where('at', '<=', to);
    }
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toEntry);
  }
}

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    status: row.status,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
