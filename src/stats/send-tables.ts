// DailyFigures' record of each send (the send_unit table, schema in figure-tables.ts): the totals
// each owner last reported, and the sums the desk's charts, the weekly report and, under personal
// delivery, the complaint brake read.
import { SendStatus } from "../digest/edition-status";
import type { SlotFigures } from "../digest/complaint-brake";

export type EditionDay = {
  date: string;
  sends: number;
  sent: number;
  failed: number;
  bounced: number;
  permanentBounces: number;
  complained: number;
};
export type SendSummary = SendStatus;

// A run slot's id (YYYY-MM-DDTHHMM) is 15 characters; a day's edition (YYYY-MM-DD) is 10, and sorts
// among the slots of its day, so a range of slot ids must leave editions out by length.
const SLOT_ID_LENGTH = 15;

export function createSendTables(sql: SqlStorage) {
  return {
    /** Keeps the newest report of a send; an older one that arrives late changes nothing. */
    recordSend(status: SendStatus, version: number): void {
      sql.exec(
        `INSERT INTO send_unit (id, day, version, started_ms, sent, failed, bounced, permanent,
           complained, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, started_ms = excluded.started_ms,
           sent = excluded.sent, failed = excluded.failed, bounced = excluded.bounced,
           permanent = excluded.permanent, complained = excluded.complained, status = excluded.status
         WHERE excluded.version > send_unit.version`,
        status.id,
        status.id.slice(0, 10),
        version,
        status.startedAt ? Date.parse(status.startedAt) : null,
        status.sent,
        status.failed,
        status.events.bounced,
        status.events.permanentBounces,
        status.events.complained,
        JSON.stringify(status),
      );
    },

    /** Every send of each date summed (under personal delivery, a day's run slots). */
    editionDays(dates: string[]): EditionDay[] {
      const rows = sql
        .exec<{
          day: string;
          sends: number;
          sent: number;
          failed: number;
          bounced: number;
          permanent: number;
          complained: number;
        }>(
          `SELECT day, COUNT(*) AS sends, SUM(sent) AS sent, SUM(failed) AS failed,
             SUM(bounced) AS bounced, SUM(permanent) AS permanent, SUM(complained) AS complained
           FROM send_unit WHERE day >= ? AND day <= ? GROUP BY day`,
          dates[0] ?? "",
          dates.at(-1) ?? "",
        )
        .toArray();
      const byDay = new Map(rows.map((row) => [row.day, row]));
      return dates.map((date) => {
        const row = byDay.get(date);
        return {
          date,
          sends: row?.sends ?? 0,
          sent: row?.sent ?? 0,
          failed: row?.failed ?? 0,
          bounced: row?.bounced ?? 0,
          permanentBounces: row?.permanent ?? 0,
          complained: row?.complained ?? 0,
        };
      });
    },

    /** The latest sends, newest first, as their owners last reported them. */
    recentSends(limit: number): SendSummary[] {
      return sql
        .exec<{ status: string }>(
          `SELECT status FROM send_unit ORDER BY COALESCE(started_ms, 0) DESC, id DESC LIMIT ?`,
          limit,
        )
        .toArray()
        .map((row) => SendStatus.parse(JSON.parse(row.status)));
    },

    /** The send of these days that sent the most emails. */
    largestSend(fromDay: string, toDay: string): SendSummary | null {
      const row = sql
        .exec<{ status: string }>(
          `SELECT status FROM send_unit WHERE day >= ? AND day <= ? ORDER BY sent DESC, id LIMIT 1`,
          fromDay,
          toDay,
        )
        .toArray()[0];
      return row ? SendStatus.parse(JSON.parse(row.status)) : null;
    },

    /**
     * The run slots from `fromId` up to, not including, `toId` (slot ids sort by time), summed as
     * their owners last reported them. One range read of the primary key.
     */
    slotSums(fromId: string, toId: string): SlotFigures {
      const row = sql
        .exec<{
          slots: number;
          sent: number | null;
          permanent: number | null;
          complained: number | null;
        }>(
          `SELECT COUNT(*) AS slots, SUM(sent) AS sent, SUM(permanent) AS permanent,
             SUM(complained) AS complained
           FROM send_unit WHERE id >= ? AND id < ? AND length(id) = ?`,
          fromId,
          toId,
          SLOT_ID_LENGTH,
        )
        .one();
      return {
        slots: row.slots,
        sent: row.sent ?? 0,
        permanentBounces: row.permanent ?? 0,
        complained: row.complained ?? 0,
      };
    },
  };
}
